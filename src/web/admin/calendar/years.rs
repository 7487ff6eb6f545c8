//! Whole years: adopted by rule, their source, a newer official schedule adopted or set aside.

use actix_session::Session;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::back;
use crate::auth::csrf::CsrfForm;
use crate::auth::session::push_flash;
use crate::auth::Staff;
use crate::domain::time::now_utc;
use crate::error::ActionError;
use crate::error::AppError;
use crate::services::calendar::{self};
use crate::state::AppState;
#[derive(Deserialize)]
pub struct YearForm {
    year: i32,
    #[serde(default)]
    source: String,
}

/// Flashes the outcome of a year action and goes back to that year.
fn year_outcome(
    session: &Session,
    year: i32,
    result: Result<(), ActionError>,
    success: &str,
) -> Result<HttpResponse, AppError> {
    match result {
        Ok(()) => push_flash(session, "success", success),
        Err(ActionError::Invalid(e)) => push_flash(
            session,
            "error",
            e.iter().next().map(|(_, m)| m).unwrap_or(""),
        ),
        Err(ActionError::Failed(e)) => return Err(e),
    }
    Ok(back(year))
}

pub async fn adopt_year(
    staff: Staff,
    state: web::Data<AppState>,
    session: Session,
    CsrfForm(form): CsrfForm<YearForm>,
) -> Result<HttpResponse, AppError> {
    let (actor, year) = (crate::services::Actor::from(&staff.user), form.year);
    let result = state
        .db
        .run(move |conn| {
            Ok(calendar::adopt_year(
                conn,
                &actor,
                year,
                &form.source,
                now_utc(),
            ))
        })
        .await?;
    let done = format!("Đã ghi nhận lịch năm {year}; hãy sửa theo thông báo chính thức.");
    year_outcome(&session, year, result, &done)
}

#[derive(Deserialize)]
pub struct OfficialForm {
    year: i32,
}

type YearChange = fn(
    &mut crate::db::DbConnection,
    &crate::services::Actor,
    i32,
    chrono::NaiveDateTime,
) -> Result<(), ActionError>;

/// Runs a change of a whole year for the signed-in administrator, flashes its outcome.
async fn change_year(
    staff: &Staff,
    state: &AppState,
    session: &Session,
    year: i32,
    change: YearChange,
    done: &str,
) -> Result<HttpResponse, AppError> {
    let actor = crate::services::Actor::from(&staff.user);
    let result = state
        .db
        .run(move |conn| Ok(change(conn, &actor, year, now_utc())))
        .await?;
    year_outcome(session, year, result, done)
}

/// Replaces an edited year with the newer official schedule.
pub async fn adopt_official(
    staff: Staff,
    state: web::Data<AppState>,
    session: Session,
    CsrfForm(form): CsrfForm<OfficialForm>,
) -> Result<HttpResponse, AppError> {
    let year = form.year;
    let done = format!(
        "Đã áp dụng lịch chính thức năm {year}; hạn trả của các hồ sơ đang giải quyết đã được tính lại."
    );
    change_year(
        &staff,
        &state,
        &session,
        year,
        calendar::adopt_official,
        &done,
    )
    .await
}

/// Keeps an edited year, marking the newer official schedule as seen.
pub async fn keep_edited(
    staff: Staff,
    state: web::Data<AppState>,
    session: Session,
    CsrfForm(form): CsrfForm<OfficialForm>,
) -> Result<HttpResponse, AppError> {
    let year = form.year;
    let done = format!("Đã giữ lịch năm {year} như đã sửa.");
    change_year(&staff, &state, &session, year, calendar::keep_edited, &done).await
}

pub async fn year_source(
    staff: Staff,
    state: web::Data<AppState>,
    session: Session,
    CsrfForm(form): CsrfForm<YearForm>,
) -> Result<HttpResponse, AppError> {
    let (actor, year) = (crate::services::Actor::from(&staff.user), form.year);
    let result = state
        .db
        .run(move |conn| {
            Ok(calendar::set_year_source(
                conn,
                &actor,
                year,
                &form.source,
                now_utc(),
            ))
        })
        .await?;
    year_outcome(&session, year, result, "Đã lưu căn cứ của lịch năm.")
}
