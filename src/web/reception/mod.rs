//! The reception counter: choose the procedure, fill the form, accept the
//! dossier or print a supplement request (Mẫu 02) or a refusal (Mẫu 03).

mod choose;
mod form;
mod posted;

pub use choose::start;
pub use form::{has_fee, new_form};
pub use posted::submit;
