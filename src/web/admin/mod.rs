//! Administration pages: users, offices, procedures, the holiday calendar, the
//! audit trail. Administrators only.

pub mod audit;
pub mod calendar;
pub mod offices;
pub mod outbox;
pub mod procedure_forms;
pub mod procedures;
pub mod users;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(users::list)
        .service(users::new_form)
        .service(users::create)
        .service(users::edit_form)
        .service(users::update)
        .service(users::reset_password)
        .service(offices::list)
        .service(offices::new_form)
        .service(offices::create)
        .service(offices::edit_form)
        .service(offices::update)
        .service(procedures::list)
        .service(procedures::new_form)
        .service(procedures::create)
        .service(procedures::edit_form)
        .service(procedures::update)
        .service(procedure_forms::show)
        .service(procedure_forms::attach)
        .service(procedure_forms::remove)
        .service(calendar::show)
        .service(calendar::put_day)
        .service(calendar::delete_day)
        .service(calendar::adopt_year)
        .service(calendar::year_source)
        .service(calendar::adopt_official)
        .service(calendar::keep_edited)
        .service(calendar::save_settings)
        .service(outbox::list)
        .service(outbox::retry)
        .service(audit::list);
}
