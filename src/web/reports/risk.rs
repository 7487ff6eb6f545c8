//! Dossiers at risk: open, not yet overdue, with fewer working days left than
//! their procedure's dossiers usually still need from the state they are in.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use crate::auth::Staff;
use crate::domain::dossier::Status;
use crate::domain::time::{format_date, today};
use crate::error::AppError;
use crate::services::reports::{self, MEDIAN_MIN_SAMPLES, MEDIAN_WINDOW_DAYS};
use crate::state::AppState;
use crate::web::html;
use crate::web::layout::Layout;

/// The page lists at most this many, tightest first.
const LIMIT: usize = 200;

pub struct RiskView {
    pub code: String,
    pub applicant: String,
    pub procedure: String,
    pub office: String,
    pub assignee: String,
    pub status: &'static str,
    pub due_date: String,
    pub days_left: i64,
    pub usual: i64,
    pub samples: usize,
}

#[derive(Template)]
#[template(path = "reports/risk.html")]
struct RiskPage {
    page: Layout,
    rows: Vec<RiskView>,
    total: usize,
    shown: usize,
    window: i64,
    min_samples: usize,
    today: String,
}

pub async fn page(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let cal = state.calendar().await?;
    let office = staff.user.office_id;
    let scope = state
        .db
        .run(move |conn| reports::scope(conn, office, None))
        .await?
        .ok_or(AppError::NotFound)?;
    let ids = scope.ids();
    let medians = state.medians(ids.clone(), cal.clone()).await?;
    let (rows, total) = state
        .db
        .run(move |conn| reports::at_risk(conn, &cal, &ids, &medians, today(), LIMIT))
        .await?;
    let rows: Vec<RiskView> = rows
        .into_iter()
        .map(|r| RiskView {
            code: r.row.dossier.code.clone(),
            applicant: r.row.dossier.applicant_name.clone(),
            procedure: r.row.procedure_name.clone(),
            office: scope.name_of(r.row.dossier.office_id),
            assignee: r.assignee.unwrap_or_default(),
            status: Status::parse(&r.row.dossier.status).map_or("", Status::label),
            due_date: r.row.dossier.due_date.map(format_date).unwrap_or_default(),
            days_left: r.days_left,
            usual: r.usual,
            samples: r.samples,
        })
        .collect();
    html(
        StatusCode::OK,
        &RiskPage {
            page: Layout::new(&req, "Hồ sơ có nguy cơ trễ hạn", Some(&staff.user)),
            shown: rows.len(),
            rows,
            total,
            window: MEDIAN_WINDOW_DAYS,
            min_samples: MEDIAN_MIN_SAMPLES,
            today: format_date(today()),
        },
    )
}
