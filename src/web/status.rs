//! The citizen's status page, reached from the receipt's QR code: the random
//! token in the link finds the dossier. No name, ID number, phone, email or
//! address is shown.

use actix_web::http::StatusCode;
use actix_web::{get, web, HttpRequest, HttpResponse};
use askama::Template;

use super::html;
use super::layout::Layout;
use crate::db::dossiers::Dossier;
use crate::db::procedures::Procedure;
use crate::domain::dossier::Status;
use crate::domain::time::{format_date, format_datetime};
use crate::error::AppError;
use crate::state::AppState;

pub struct StepView {
    pub at: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "public/status.html")]
struct StatusPage {
    page: Layout,
    code: String,
    procedure: String,
    status: &'static str,
    next_step: &'static str,
    received_at: String,
    due_date: String,
    voided: bool,
    timeline: Vec<StepView>,
}

#[get("/tra-cuu/{token}")]
pub async fn by_token(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let token = path.into_inner();
    if token.len() > 64
        || !token
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(AppError::NotFound);
    }
    let (d, procedure, events) = state
        .db
        .run(move |conn| {
            let d = Dossier::find_by_token(conn, &token)?.ok_or(AppError::NotFound)?;
            let p = Procedure::find(conn, d.procedure_id)?;
            let events = Dossier::events(conn, d.id)?;
            Ok((d, p, events))
        })
        .await?;
    let status = Status::parse(&d.status).unwrap_or(Status::Received);
    // Status changes, and every new appointment date (an apology or a
    // calendar correction): the citizen learns of it here.
    let mut timeline: Vec<StepView> = Vec::new();
    for e in &events {
        let Some(to) = Status::parse(&e.to_status) else {
            continue;
        };
        if matches!(e.action.as_str(), "extend" | "recompute") {
            timeline.push(StepView {
                at: format_datetime(e.at),
                label: "Hẹn lại ngày trả kết quả".into(),
            });
            continue;
        }
        if e.from_status.as_deref() == Some(e.to_status.as_str()) {
            continue;
        }
        timeline.push(StepView {
            at: format_datetime(e.at),
            label: to.label().to_string(),
        });
    }
    let mut resp = html(
        StatusCode::OK,
        &StatusPage {
            page: Layout::new(&req, "Tình trạng hồ sơ", None),
            code: d.code,
            procedure: procedure.name,
            status: status.label(),
            next_step: status.next_step(),
            received_at: format_datetime(d.received_at),
            due_date: d.due_date.map(format_date).unwrap_or_default(),
            voided: d.voided,
            timeline,
        },
    )?;
    resp.headers_mut().insert(
        actix_web::http::header::REFERRER_POLICY,
        actix_web::http::header::HeaderValue::from_static("no-referrer"),
    );
    Ok(resp)
}
