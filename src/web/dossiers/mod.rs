//! Dossier pages for staff: search, the dossier page with its actions, the
//! confirmation after reception, the receipt (Mẫu 01), correcting the
//! applicant, voiding.

mod actions;
mod applicant;
mod find;
mod page;

pub use actions::{action_page, take_action};
pub use applicant::{applicant_form, applicant_submit, void};
pub use find::{list, search};
pub use page::{done, receipt, show};
