//! Reading dossiers: `GET /api/v1/dossiers/{code}` and the paged, filtered list.

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};

use super::json::{date, dossier_json, ProcedureRef};
use crate::auth::ApiStaff;
use crate::db::dossiers::{DossierFilter, DossierRow};
use crate::db::offices::Office;
use crate::db::procedures::Procedure;
use crate::domain::dossier::{is_overdue, Status};
use crate::domain::fields::FieldErrors;
use crate::domain::time::{rfc3339, today};
use crate::services::dossiers::{self};
use crate::state::AppState;
use crate::web::api::ApiError;

pub async fn show(
    staff: ApiStaff,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let office = staff.user.office_id;
    let public_url = state.config.public_url.clone();
    let json = state
        .db
        .run(move |conn| {
            let visible = dossiers::visible_offices(conn, office)?;
            Ok(dossiers::load_by_code(conn, &code, &visible)?
                .map(|d| dossier_json(&d, &public_url)))
        })
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(HttpResponse::Ok().json(json))
}

#[derive(Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    overdue: Option<String>,
    office: Option<String>,
    procedure: Option<String>,
    q: Option<String>,
    page: Option<String>,
    per_page: Option<String>,
}

#[derive(Serialize)]
struct Summary {
    code: String,
    version: i32,
    status: String,
    status_label: &'static str,
    outcome: Option<String>,
    voided: bool,
    procedure: ProcedureRef,
    office: String,
    channel: String,
    applicant_name: String,
    received_at: String,
    due_date: Option<String>,
    overdue: bool,
}

#[derive(Serialize)]
struct Page {
    items: Vec<Summary>,
    page: i64,
    per_page: i64,
    total: i64,
}

fn summary(r: DossierRow) -> Summary {
    let x = r.dossier;
    let status = Status::parse(&x.status).unwrap_or(Status::Received);
    Summary {
        overdue: !x.voided && is_overdue(status, x.due_date, today()),
        code: x.code,
        version: x.version,
        status: x.status,
        status_label: status.label(),
        outcome: x.outcome,
        voided: x.voided,
        procedure: ProcedureRef {
            code: r.procedure_code,
            name: r.procedure_name,
            working_days: x.working_days,
        },
        office: r.office_code,
        channel: x.channel,
        applicant_name: x.applicant_name,
        received_at: rfc3339(x.received_at),
        due_date: x.due_date.map(date),
    }
}

fn positive(
    raw: Option<&str>,
    field: &str,
    default: i64,
    max: i64,
    errors: &mut FieldErrors,
) -> i64 {
    match raw.map(str::trim) {
        None | Some("") => default,
        Some(s) => match s.parse::<i64>() {
            Ok(n) if (1..=max).contains(&n) => n,
            _ => {
                errors.add(field, format!("Số nguyên từ 1 đến {max}."));
                default
            }
        },
    }
}

pub async fn list(
    staff: ApiStaff,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let mut errors = FieldErrors::new();
    if let Some(s) = q.status.as_deref().filter(|s| !s.is_empty()) {
        if Status::parse(s).is_none() {
            errors.add("status", "Trạng thái không có trong danh mục (API.md).");
        }
    }
    let overdue = match q.overdue.as_deref() {
        None | Some("") | Some("false") => false,
        Some("true") => true,
        Some(_) => {
            errors.add("overdue", "overdue là true hoặc false.");
            false
        }
    };
    let page = positive(q.page.as_deref(), "page", 1, 1_000_000, &mut errors);
    let per_page = positive(q.per_page.as_deref(), "per_page", 50, 200, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::validation(&errors));
    }
    let office_id = staff.user.office_id;
    let result = state
        .db
        .run(move |conn| {
            let visible = dossiers::visible_offices(conn, office_id)?;
            let mut office_ids = visible.clone();
            if let Some(code) = q.office.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
                match Office::find_by_code(conn, code)? {
                    Some(o) => {
                        let sub = Office::subtree_ids(conn, o.id)?;
                        office_ids.retain(|id| sub.contains(id));
                    }
                    None => return Ok(Err(("office", format!("Không có đơn vị mã {code}.")))),
                }
            }
            let procedure_id = match q
                .procedure
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty())
            {
                None => None,
                Some(code) => match Procedure::find_by_code(conn, code)? {
                    Some(p) => Some(p.id),
                    None => return Ok(Err(("procedure", format!("Không có thủ tục mã {code}.")))),
                },
            };
            let filter = DossierFilter {
                office_ids,
                status: q.status.filter(|s| !s.is_empty()),
                procedure_id,
                q: q.q,
                overdue_as_of: overdue.then(today),
                ..DossierFilter::default()
            };
            let (rows, total) = dossiers::list(conn, &filter, (page - 1) * per_page, per_page)?;
            Ok(Ok((rows, total)))
        })
        .await?;
    let (rows, total) = result.map_err(|(field, message)| {
        let mut e = FieldErrors::new();
        e.add(field, message);
        ApiError::validation(&e)
    })?;
    Ok(HttpResponse::Ok().json(Page {
        items: rows.into_iter().map(summary).collect(),
        page,
        per_page,
        total,
    }))
}
