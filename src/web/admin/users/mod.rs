//! User administration: the list, a new user, editing one, resetting a password.

mod form;
mod index;

pub use form::{create, edit_form, new_form, reset_password, update};
pub use index::{list, role_label};
