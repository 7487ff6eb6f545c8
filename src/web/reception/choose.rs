//! The counter's start page: pick the procedure (type-ahead), the notices of the last week to reprint.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::auth::Staff;
use crate::db::notices::CounterNotice;
use crate::db::procedures::Procedure;
use crate::domain::procedure::{describe_time, fold};
use crate::domain::time::{now_utc, today};
use crate::error::AppError;
use crate::services::reception::NoticeKind;
use crate::state::AppState;
use crate::web::html;
use crate::web::layout::Layout;

pub struct ProcedureChoice {
    pub code: String,
    pub name: String,
    pub time: String,
    pub search: String,
}

/// A notice issued at the counter, for reprinting.
pub struct NoticeLine {
    pub id: i64,
    pub number: String,
    pub kind: &'static str,
    pub applicant: String,
    pub at: String,
}

#[derive(Template)]
#[template(path = "reception/start.html")]
struct StartPage {
    page: Layout,
    q: String,
    choices: Vec<ProcedureChoice>,
    notices: Vec<NoticeLine>,
    /// Receiving the dossiers of a postal intake record.
    lo: Option<i64>,
}

#[derive(Deserialize)]
pub struct StartQuery {
    q: Option<String>,
    lo: Option<i64>,
}

pub async fn start(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
    query: web::Query<StartQuery>,
) -> Result<HttpResponse, AppError> {
    let q = query.q.clone().unwrap_or_default().trim().to_string();
    let office = staff.user.office_id;
    let (all, issued) = state
        .db
        .run(move |conn| {
            let all = Procedure::all_full(conn, true)?;
            let from =
                crate::services::dossiers::day_start_utc(today() - chrono::Duration::days(6));
            let issued = CounterNotice::list(conn, &[office], from, now_utc(), 50)?;
            Ok((all, issued))
        })
        .await?;
    let notices = issued
        .into_iter()
        .map(|n| NoticeLine {
            id: n.id,
            number: n.number,
            kind: NoticeKind::parse(&n.kind)
                .map(NoticeKind::label)
                .unwrap_or(""),
            applicant: n.applicant_name,
            at: crate::domain::time::format_datetime(n.at),
        })
        .collect();
    let needle = fold(&q);
    let choices = all
        .iter()
        .map(|p| ProcedureChoice {
            code: p.procedure.code.clone(),
            name: p.procedure.name.clone(),
            time: p
                .working_days_on(today())
                .map(describe_time)
                .unwrap_or_else(|| "Chưa quy định thời hạn".into()),
            search: fold(&format!(
                "{} {} {}",
                p.procedure.code, p.procedure.name, p.procedure.field
            )),
        })
        .filter(|c| needle.is_empty() || c.search.contains(&needle))
        .collect();
    html(
        StatusCode::OK,
        &StartPage {
            page: Layout::new(&req, "Tiếp nhận hồ sơ", Some(&staff.user)),
            q,
            choices,
            notices,
            lo: query.lo,
        },
    )
}
