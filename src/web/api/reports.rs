//! Reports for supervisors and leaders: `GET /api/v1/reports/overdue` and
//! `GET /api/v1/reports/period` (API.md).

use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::auth::ApiStaff;
use crate::domain::fields::FieldErrors;
use crate::domain::report::Period;
use crate::domain::time::today;
use crate::services::reports::{self, DueKind, DueQuery};
use crate::state::AppState;
use crate::web::api::ApiError;

fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// At most this many overdue dossiers in one answer (`total` says how many).
const MAX_ITEMS: i64 = 30_000;

fn parse_day(raw: Option<&str>, field: &str, errors: &mut FieldErrors) -> Option<NaiveDate> {
    let s = raw.map(str::trim).filter(|s| !s.is_empty())?;
    match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        Ok(d) if (2000..=2100).contains(&chrono::Datelike::year(&d)) => Some(d),
        _ => {
            errors.add(field, "Ngày dạng YYYY-MM-DD, từ năm 2000 đến 2100.");
            None
        }
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OverdueQuery {
    /// Mặc định hôm nay (giờ Việt Nam)
    #[param(value_type = Option<String>, pattern = "^$|^20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])$")]
    as_of: Option<String>,
    /// Mã đơn vị (gồm các đơn vị trực thuộc); mặc định đơn vị của người dùng;
    /// một đơn vị người dùng không được xem là 404
    #[param(value_type = Option<String>)]
    office: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct OverdueItem {
    code: String,
    procedure: String,
    assignee: Option<String>,
    due_date: Option<String>,
    overdue_working_days: i64,
    office: String,
    status: String,
}

#[derive(Serialize, utoipa::ToSchema)]
struct OverdueReport {
    as_of: String,
    office: String,
    total: i64,
    items: Vec<OverdueItem>,
}

/// The overdue dossiers of an office and its sub-offices, most overdue first.
#[utoipa::path(get, path = "/reports/overdue", security(("bearer" = [])), params(OverdueQuery),
    responses(
        (status = 200, description = "Danh sách quá hạn", body = OverdueReport),
        (status = 401, response = super::doc::Unauthorized),
        (status = 403, response = super::doc::Forbidden),
        (status = 404, response = super::doc::NotFound),
    ))]
pub async fn overdue(
    staff: ApiStaff,
    state: web::Data<AppState>,
    query: web::Query<OverdueQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let mut errors = FieldErrors::new();
    let as_of = parse_day(q.as_of.as_deref(), "as_of", &mut errors).unwrap_or_else(today);
    if !errors.is_empty() {
        return Err(ApiError::validation(&errors));
    }
    let cal = state.calendar().await.map_err(ApiError::from)?;
    let office_id = staff.user.office_id;
    let answer = state
        .db
        .run(move |conn| {
            let Some(scope) = reports::scope(conn, office_id, q.office.as_deref())? else {
                return Ok(None);
            };
            let dq = DueQuery {
                kind: DueKind::Overdue,
                soon_days: 0,
                offices: scope.ids(),
                office: None,
                officer: None,
                unassigned: false,
                own_only: false,
                procedure: None,
                status: None,
                today: as_of,
            };
            let list = reports::due_list(conn, &cal, &dq, 0, MAX_ITEMS)?;
            let codes: std::collections::HashMap<i64, String> = scope
                .offices
                .iter()
                .map(|o| (o.id, o.code.clone()))
                .collect();
            Ok(Some(OverdueReport {
                as_of: date(as_of),
                office: scope.root.code.clone(),
                total: list.total,
                items: list
                    .rows
                    .into_iter()
                    .map(|r| OverdueItem {
                        code: r.row.dossier.code.clone(),
                        procedure: r.row.procedure_name.clone(),
                        assignee: r.assignee_username.clone(),
                        due_date: r.row.dossier.due_date.map(date),
                        overdue_working_days: r.late_days.unwrap_or(0),
                        office: codes
                            .get(&r.row.dossier.office_id)
                            .cloned()
                            .unwrap_or_default(),
                        status: r.row.dossier.status.clone(),
                    })
                    .collect(),
            }))
        })
        .await
        .map_err(ApiError::from)?;
    match answer {
        Some(a) => Ok(HttpResponse::Ok().json(a)),
        None => Err(office_error()),
    }
}

/// An office the user may not see answers as one that does not exist: 404,
/// as a dossier outside the user's offices does.
fn office_error() -> ApiError {
    let message = "Không có đơn vị mã này trong các đơn vị bạn được xem.";
    let mut e = ApiError::new(actix_web::http::StatusCode::NOT_FOUND, "not_found", message);
    e.fields.insert("office".into(), message.into());
    e
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// Mặc định ngày đầu tháng của `to`, hoặc của tháng này
    #[param(value_type = Option<String>, pattern = "^$|^20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])$")]
    from: Option<String>,
    /// Mặc định ngày cuối tháng của `from`, hoặc của tháng này; nếu trước `from` thì kỳ tính từ ngày sớm hơn đến ngày muộn hơn
    #[param(value_type = Option<String>, pattern = "^$|^20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])$")]
    to: Option<String>,
    /// Mã đơn vị (gồm các đơn vị trực thuộc); mặc định đơn vị của người dùng;
    /// một đơn vị người dùng không được xem là 404
    #[param(value_type = Option<String>)]
    office: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct Received {
    carried_over: i64,
    online: i64,
    counter: i64,
    postal: i64,
    total: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
struct Resolved {
    early: i64,
    on_time: i64,
    late: i64,
    total: i64,
    refused: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
struct InProgress {
    on_time: i64,
    overdue: i64,
    total: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
struct Satisfaction {
    very_satisfied: i64,
    satisfied: i64,
    dissatisfied: i64,
    rate: Option<f64>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = PeriodReport)]
struct PeriodJson {
    from: String,
    to: String,
    office: String,
    received: Received,
    resolved: Resolved,
    withdrawn: i64,
    in_progress: InProgress,
    not_accepted: i64,
    on_time_rate: Option<f64>,
    satisfaction: Satisfaction,
    /// Extension: feedback received and answered in the period.
    feedback: FeedbackJson,
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = PeriodFeedback)]
struct FeedbackJson {
    received: i64,
    answered: i64,
    average_answer_days: Option<f64>,
}

/// The period report (DOMAIN.md) of an office and its sub-offices.
#[utoipa::path(get, path = "/reports/period", security(("bearer" = [])), params(PeriodQuery),
    responses(
        (status = 200, description = "Số liệu kỳ báo cáo", body = PeriodJson),
        (status = 401, response = super::doc::Unauthorized),
        (status = 403, response = super::doc::Forbidden),
        (status = 404, response = super::doc::NotFound),
    ))]
pub async fn period(
    staff: ApiStaff,
    state: web::Data<AppState>,
    query: web::Query<PeriodQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let mut errors = FieldErrors::new();
    // A missing end is the other end's month (this month when both are missing).
    let from = parse_day(q.from.as_deref(), "from", &mut errors);
    let to = parse_day(q.to.as_deref(), "to", &mut errors);
    let month = Period::month_of(from.or(to).unwrap_or_else(today));
    let (from, to) = (from.unwrap_or(month.from), to.unwrap_or(month.to));
    if !errors.is_empty() {
        return Err(ApiError::validation(&errors));
    }
    // The API takes any two days (API.md sets no bound): the period runs from
    // the earlier to the later, and the answer says which it counted.
    let period = Period::spanning(from, to);
    let office_id = staff.user.office_id;
    let answer = state
        .db
        .run(move |conn| {
            let Some(scope) = reports::scope(conn, office_id, q.office.as_deref())? else {
                return Ok(None);
            };
            let r = reports::period_report(conn, &scope, period)?;
            Ok(Some((scope.root.code.clone(), r)))
        })
        .await
        .map_err(ApiError::from)?;
    let Some((office, r)) = answer else {
        return Err(office_error());
    };
    let c = r.total.counts;
    let s = r.total.satisfaction;
    Ok(HttpResponse::Ok().json(PeriodJson {
        from: date(period.from),
        to: date(period.to),
        office,
        received: Received {
            carried_over: c.carried_over,
            online: c.online,
            counter: c.counter,
            postal: c.postal,
            total: c.received_total(),
        },
        resolved: Resolved {
            early: c.early,
            on_time: c.on_time,
            late: c.late,
            total: c.resolved_total(),
            refused: c.refused,
        },
        withdrawn: c.withdrawn,
        in_progress: InProgress {
            on_time: c.open_on_time,
            overdue: c.open_overdue,
            total: c.in_progress_total(),
        },
        not_accepted: c.not_accepted,
        on_time_rate: c.on_time_rate(),
        satisfaction: Satisfaction {
            very_satisfied: s.very_satisfied,
            satisfied: s.satisfied,
            dissatisfied: s.dissatisfied,
            rate: s.rate(),
        },
        feedback: FeedbackJson {
            received: r.feedback.received,
            answered: r.feedback.answered,
            average_answer_days: r.feedback.average_answer_days,
        },
    }))
}
