//! Reports for those who oversee the work: the due lists, the dossiers at
//! risk, the period report.

mod due;
mod period;
mod risk;

pub use due::{excel as due_excel, page as due_page};
pub use period::{excel as period_excel, page as period_page, print as period_print};
pub use risk::page as risk_page;
