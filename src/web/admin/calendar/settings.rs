//! The working week and office hours.

use actix_session::Session;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Datelike;

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
pub async fn save_settings(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
    session: Session,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let get = |k: &str| {
        fields
            .iter()
            .find(|(f, _)| f == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let week: Vec<u32> = fields
        .iter()
        .filter(|(f, _)| f == "work_week")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let (opens, closes) = (get("opens"), get("closes"));
    let year = get("year").parse().unwrap_or_else(|_| today().year());
    let actor = crate::services::Actor::from(&staff.user);
    let result = state
        .db
        .run(move |conn| {
            Ok(calendar::set_settings(
                conn,
                &actor,
                &week,
                &opens,
                &closes,
                now_utc(),
            ))
        })
        .await?;
    match result {
        Ok(_) => {
            push_flash(&session, "success", "Đã lưu ngày và giờ làm việc.");
            Ok(back(year))
        }
        Err(ActionError::Invalid(errors)) => {
            render(
                &req,
                &staff,
                &state,
                year,
                DayInput {
                    kind: "holiday".into(),
                    ..Default::default()
                },
                errors,
            )
            .await
        }
        Err(ActionError::Failed(e)) => Err(e),
    }
}
