//! The calendar administration page: a year as twelve months, its days off and
//! worked weekend days with their source, corrections, and the working week.

mod days;
mod settings;
mod year_page;
mod years;

pub use days::{delete_day, put_day};
pub use settings::save_settings;
pub use year_page::show;
pub use years::{adopt_official, adopt_year, keep_edited, year_source};

/// Back to the year's page after a change.
fn back(year: i32) -> actix_web::HttpResponse {
    crate::web::see_other(&format!("/admin/calendar?year={year}"))
}
