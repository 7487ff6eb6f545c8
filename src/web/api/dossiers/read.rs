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

/// One dossier, with its documents and history.
#[utoipa::path(get, path = "/dossiers/{code}", security(("bearer" = [])),
    params(("code" = String, Path, max_length = 60, description = "Mã hồ sơ")),
    responses(
        (status = 200, description = "Hồ sơ", body = super::json::DossierJson),
        (status = 401, response = crate::web::api::doc::Unauthorized),
        (status = 403, response = crate::web::api::doc::Forbidden),
        (status = 404, response = crate::web::api::doc::NotFound),
    ))]
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

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Trạng thái
    #[param(value_type = Option<String>, pattern = "^(submitted|not_accepted|received|in_progress|awaiting_supplement|awaiting_approval|result_ready|in_transit|delivered|withdrawn)?$")]
    status: Option<String>,
    /// Chỉ hồ sơ quá hạn
    #[param(value_type = Option<String>, pattern = "^(true|false)?$")]
    overdue: Option<String>,
    /// Mã đơn vị (gồm đơn vị trực thuộc); mã không có thì không có hồ sơ nào
    #[param(value_type = Option<String>)]
    office: Option<String>,
    /// Mã thủ tục; mã không có thì không có hồ sơ nào
    #[param(value_type = Option<String>)]
    procedure: Option<String>,
    /// Mã hồ sơ, tên người nộp (không phân biệt dấu), số CCCD, số điện thoại
    #[param(value_type = Option<String>)]
    q: Option<String>,
    /// Trang, từ 1
    #[param(value_type = Option<i64>, minimum = 1, maximum = 1000000)]
    page: Option<String>,
    /// Số dòng mỗi trang (mặc định 50)
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200)]
    per_page: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = DossierSummary)]
struct Summary {
    code: String,
    version: i32,
    status: String,
    #[schema(value_type = String)]
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

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = DossierPage)]
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

/// A page of the dossiers the user may see, filtered.
#[utoipa::path(get, path = "/dossiers", security(("bearer" = [])), params(ListQuery),
    responses(
        (status = 200, description = "Một trang hồ sơ", body = Page),
        (status = 401, response = crate::web::api::doc::Unauthorized),
        (status = 403, response = crate::web::api::doc::Forbidden),
    ))]
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
                    None => return Ok((Vec::new(), 0)),
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
                    None => return Ok((Vec::new(), 0)),
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
            Ok((rows, total))
        })
        .await?;
    let (rows, total) = result;
    Ok(HttpResponse::Ok().json(Page {
        items: rows.into_iter().map(summary).collect(),
        page,
        per_page,
        total,
    }))
}
