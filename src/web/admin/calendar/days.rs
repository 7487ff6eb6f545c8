//! Correcting a day: a day off or a worked weekend day put, or removed.

use actix_session::Session;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use super::back;
use super::year_page::render;
use crate::auth::csrf::CsrfForm;
use crate::auth::session::push_flash;
use crate::auth::Staff;
use crate::domain::time::{now_utc, today};
use crate::error::ActionError;
use crate::error::AppError;
use crate::services::calendar::{self, DayInput};
use crate::state::AppState;

#[derive(Deserialize)]
pub struct DayForm {
    #[serde(default)]
    date: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    year: Option<i32>,
}

pub async fn put_day(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
    session: Session,
    CsrfForm(form): CsrfForm<DayForm>,
) -> Result<HttpResponse, AppError> {
    let input = DayInput {
        date: form.date.clone(),
        kind: form.kind.clone(),
        name: form.name.clone(),
    };
    let actor = crate::services::Actor::from(&staff.user);
    let to_save = input.clone();
    let result = state
        .db
        .run(move |conn| Ok(calendar::put_day(conn, &actor, &to_save, now_utc())))
        .await?;
    match result {
        Ok(date) => {
            push_flash(
                &session,
                "success",
                &format!("Đã ghi ngày {} vào lịch.", date.format("%d/%m/%Y")),
            );
            Ok(back(date.year()))
        }
        Err(ActionError::Invalid(errors)) => {
            let year = form.year.unwrap_or_else(|| today().year());
            render(&req, &staff, &state, year, input, errors).await
        }
        Err(ActionError::Failed(e)) => Err(e),
    }
}

#[derive(Deserialize)]
pub struct DeleteForm {
    date: NaiveDate,
}

pub async fn delete_day(
    staff: Staff,
    state: web::Data<AppState>,
    session: Session,
    CsrfForm(form): CsrfForm<DeleteForm>,
) -> Result<HttpResponse, AppError> {
    let actor = crate::services::Actor::from(&staff.user);
    let date = form.date;
    let result = state
        .db
        .run(move |conn| Ok(calendar::delete_day(conn, &actor, date, now_utc())))
        .await?;
    match result {
        Ok(()) => push_flash(
            &session,
            "success",
            &format!("Đã bỏ ngày {} khỏi lịch.", date.format("%d/%m/%Y")),
        ),
        Err(ActionError::Invalid(e)) => push_flash(
            &session,
            "error",
            e.iter()
                .next()
                .map(|(_, m)| m)
                .unwrap_or("Không bỏ được ngày này."),
        ),
        Err(ActionError::Failed(e)) => return Err(e),
    }
    Ok(back(date.year()))
}
