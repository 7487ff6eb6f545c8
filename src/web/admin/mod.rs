//! Administration pages: users, offices, procedures, the holiday calendar, the
//! audit trail. Administrators only.

pub mod audit;
pub mod calendar;
pub mod offices;
pub mod outbox;
pub mod personal_data;
pub mod procedure_forms;
pub mod procedures;
pub mod users;
