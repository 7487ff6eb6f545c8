//! `POST /api/v1/dossiers`, `GET /api/v1/dossiers/{code}`, `GET /api/v1/dossiers`.

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{Datelike, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::calendar::parse_time;
use super::ApiError;
use crate::auth::ApiStaff;
use crate::db::dossiers::{DossierFilter, DossierRow};
use crate::db::offices::Office;
use crate::db::procedures::Procedure;
use crate::domain::dossier::{is_overdue, Status};
use crate::domain::fields::FieldErrors;
use crate::domain::reception::ApplicantInput;
use crate::domain::role::{DossierReaders, Receivers};
use crate::domain::time::{now_utc, rfc3339, today};
use crate::error::ActionError;
use crate::services::dossiers::{self, DossierDetail};
use crate::services::reception::{self, DocumentInput, ReceptionInput};
use crate::services::Actor;
use crate::state::AppState;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ApplicantBody {
    kind: Option<String>,
    full_name: Option<String>,
    representative: Option<String>,
    id_number: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    address: Option<String>,
}

#[derive(Deserialize)]
pub struct DocumentBody {
    #[serde(default)]
    name: String,
    #[serde(default)]
    form: String,
    count: Option<i64>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewDossierBody {
    procedure_code: Option<String>,
    channel: Option<String>,
    applicant: Option<ApplicantBody>,
    documents: Vec<DocumentBody>,
    sets: Option<i64>,
    return_method: Option<String>,
    postal_address: Option<String>,
    note: Option<String>,
    received_at: Option<String>,
    postmarked_on: Option<String>,
    postal_record: Option<String>,
    postal_slip: Option<String>,
    fee_amount: Option<i64>,
    fee_receipt: Option<String>,
}

const APPLICANT_FIELDS: [&str; 7] = [
    "applicant_kind",
    "full_name",
    "representative",
    "id_number",
    "phone",
    "email",
    "address",
];

/// Page field names to the API's (`full_name` → `applicant.full_name`).
fn api_fields(errors: &FieldErrors) -> FieldErrors {
    let mut out = FieldErrors::new();
    for (f, m) in errors.iter() {
        let name = match f {
            "applicant_kind" => "applicant.kind".to_string(),
            f if APPLICANT_FIELDS.contains(&f) => format!("applicant.{f}"),
            f => f.to_string(),
        };
        out.add(&name, m);
    }
    out
}

pub fn action_error(e: ActionError) -> ApiError {
    match e {
        ActionError::Invalid(errors) => ApiError::validation(&api_fields(&errors)),
        ActionError::Failed(e) => e.into(),
    }
}

/// Local (Asia/Ho_Chi_Minh) time to UTC.
fn local_to_utc(t: NaiveDateTime) -> NaiveDateTime {
    t - chrono::Duration::hours(7)
}

fn reception_input(body: NewDossierBody) -> Result<ReceptionInput, FieldErrors> {
    let mut errors = FieldErrors::new();
    let received_at = match body.received_at.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => match parse_time(raw) {
            Some(t) => Some(local_to_utc(t)),
            None => {
                errors.add(
                    "received_at",
                    "Thời điểm không đúng dạng RFC 3339, ví dụ 2026-02-10T09:30:00+07:00.",
                );
                None
            }
        },
    };
    let postmarked_on = match body.postmarked_on.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => match NaiveDate::parse_from_str(raw, "%Y-%m-%d")
            .ok()
            .filter(|d| crate::domain::time::SANE_YEARS.contains(&d.year()))
        {
            Some(d) => Some(d),
            None => {
                errors.add("postmarked_on", "Ngày dấu bưu điện có dạng YYYY-MM-DD.");
                None
            }
        },
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let a = body.applicant.unwrap_or_default();
    Ok(ReceptionInput {
        procedure_code: body.procedure_code.unwrap_or_default(),
        channel: body.channel.unwrap_or_default(),
        applicant: ApplicantInput {
            kind: a.kind.unwrap_or_default(),
            full_name: a.full_name.unwrap_or_default(),
            representative: a.representative.unwrap_or_default(),
            id_number: a.id_number.unwrap_or_default(),
            phone: a.phone.unwrap_or_default(),
            email: a.email.unwrap_or_default(),
            address: a.address.unwrap_or_default(),
        },
        documents: body
            .documents
            .into_iter()
            .map(|d| DocumentInput {
                name: d.name,
                form: d.form,
                count: d.count.map(|c| c.to_string()).unwrap_or_default(),
            })
            .collect(),
        sets: body.sets.map(|s| s.to_string()).unwrap_or_default(),
        return_method: body.return_method.unwrap_or_default(),
        postal_address: body.postal_address.unwrap_or_default(),
        note: body.note.unwrap_or_default(),
        received_at,
        postmarked_on,
        postal_record: body.postal_record.unwrap_or_default(),
        fee_amount: body.fee_amount.map(|a| a.to_string()).unwrap_or_default(),
        fee_receipt: body.fee_receipt.unwrap_or_default(),
        require_postal_record: false,
        intake_id: None,
        postal_slip: body.postal_slip.unwrap_or_default(),
    })
}

#[derive(Serialize)]
pub struct ProcedureRef {
    code: String,
    name: String,
    working_days: i32,
}

#[derive(Serialize)]
pub struct ApplicantJson {
    kind: String,
    full_name: String,
    representative: Option<String>,
    id_number: Option<String>,
    phone: String,
    email: Option<String>,
    address: String,
}

#[derive(Serialize)]
pub struct DocumentJson {
    name: String,
    form: String,
    count: i32,
}

#[derive(Serialize)]
pub struct HistoryJson {
    at: String,
    by: String,
    action: String,
    from: Option<String>,
    to: String,
    note: String,
}

#[derive(Serialize)]
pub struct DossierJson {
    code: String,
    version: i32,
    status: String,
    status_label: &'static str,
    outcome: Option<String>,
    voided: bool,
    void_reason: Option<String>,
    procedure: ProcedureRef,
    office: String,
    channel: String,
    return_method: String,
    postal_address: Option<String>,
    applicant: ApplicantJson,
    documents: Vec<DocumentJson>,
    sets: i32,
    assignee: Option<String>,
    received_at: String,
    postmarked_on: Option<String>,
    postal_record: Option<String>,
    effective_receiving_day: String,
    due_date: Option<String>,
    original_due_date: Option<String>,
    supplement_requests: i32,
    decided_at: Option<String>,
    timeliness: Option<&'static str>,
    overdue: bool,
    register: String,
    fee_amount: Option<i64>,
    fee_receipt: Option<String>,
    note: String,
    lookup_url: String,
    /// Extensions: an apology moved the date (once), a supplement request
    /// came later than 3 working days, the recorded result, the reason of a
    /// refusal or withdrawal.
    extended: bool,
    late_supplement_request: bool,
    result: Option<ResultJson>,
    closing_reason: Option<String>,
    /// Extensions for the return of the result.
    delivered_at: Option<String>,
    recipient_name: Option<String>,
    tracking_number: Option<String>,
    postage: Option<i64>,
    postal_returns: i32,
    history: Vec<HistoryJson>,
}

#[derive(Serialize)]
pub struct ResultJson {
    number: String,
    date: Option<String>,
    signer: Option<String>,
    summary: Option<String>,
}

fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

pub fn lookup_url(public_url: &str, token: &str) -> String {
    format!("{}/tra-cuu/{token}", public_url.trim_end_matches('/'))
}

pub fn dossier_json(d: &DossierDetail, public_url: &str) -> DossierJson {
    let x = &d.dossier;
    let status = d.status();
    let timeliness = match (x.decided_at, x.due_date.or(x.original_due_date)) {
        (Some(at), Some(due)) => Some(
            crate::domain::dossier::timeliness(
                crate::services::reception::local_day(at),
                due,
                x.extended || x.supplement_requests > 1,
            )
            .as_str(),
        ),
        _ => None,
    };
    DossierJson {
        code: x.code.clone(),
        version: x.version,
        status: x.status.clone(),
        status_label: status.label(),
        outcome: x.outcome.clone(),
        voided: x.voided,
        void_reason: x.void_reason.clone(),
        procedure: ProcedureRef {
            code: d.procedure.code.clone(),
            name: d.procedure.name.clone(),
            working_days: x.working_days,
        },
        office: d.office.code.clone(),
        channel: x.channel.clone(),
        return_method: x.return_method.clone(),
        postal_address: x.postal_address.clone(),
        applicant: ApplicantJson {
            kind: x.applicant_kind.clone(),
            full_name: x.applicant_name.clone(),
            representative: x.representative.clone(),
            id_number: x.id_number.clone(),
            phone: x.phone.clone(),
            email: x.email.clone(),
            address: x.address.clone(),
        },
        documents: d
            .documents
            .iter()
            .map(|doc| DocumentJson {
                name: doc.name.clone(),
                form: doc.form.clone(),
                count: doc.count,
            })
            .collect(),
        sets: x.sets,
        assignee: d.assignee.clone(),
        received_at: rfc3339(x.received_at),
        postmarked_on: x.postmarked_on.map(date),
        postal_record: x.postal_record.clone(),
        effective_receiving_day: date(x.effective_day),
        due_date: x.due_date.map(date),
        original_due_date: x.original_due_date.map(date),
        supplement_requests: x.supplement_requests,
        decided_at: x.decided_at.map(rfc3339),
        timeliness,
        overdue: d.overdue(today()),
        register: format!("{}/{}", x.register_number, x.register_year),
        fee_amount: x.fee_amount,
        fee_receipt: x.fee_receipt.clone(),
        note: x.note.clone(),
        lookup_url: lookup_url(public_url, &x.lookup_token),
        extended: x.extended,
        late_supplement_request: x.late_supplement,
        result: x.result_number.as_ref().map(|n| ResultJson {
            number: n.clone(),
            date: x.result_date.map(date),
            signer: x.result_signer.clone(),
            summary: x.result_summary.clone(),
        }),
        closing_reason: x.closing_reason.clone(),
        delivered_at: x.delivered_at.map(rfc3339),
        recipient_name: x.recipient_name.clone(),
        tracking_number: x.tracking_number.clone(),
        postage: x.postage,
        postal_returns: x.postal_returns,
        history: d
            .events
            .iter()
            .map(|e| HistoryJson {
                at: rfc3339(e.at),
                by: e.username.clone(),
                action: e.action.clone(),
                from: e.from_status.clone(),
                to: e.to_status.clone(),
                note: e.note.clone(),
            })
            .collect(),
    }
}

const KEY_MAX: usize = 200;

#[post("/dossiers")]
pub async fn create(
    req: HttpRequest,
    staff: ApiStaff<Receivers>,
    state: web::Data<AppState>,
    body: web::Json<NewDossierBody>,
) -> Result<HttpResponse, ApiError> {
    let key = match req.headers().get("Idempotency-Key") {
        None => None,
        Some(v) => match v.to_str().map(str::trim) {
            Ok(k) if !k.is_empty() && k.len() <= KEY_MAX => Some(k.to_string()),
            _ => {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "bad_request",
                    format!("Idempotency-Key là chuỗi ký tự in được, tối đa {KEY_MAX} ký tự."),
                ))
            }
        },
    };
    let input = reception_input(body.into_inner()).map_err(|e| ApiError::validation(&e))?;
    let cal = state.calendar().await?;
    let actor = Actor::from(&staff.user);
    let public_url = state.config.public_url.clone();
    let (json, created) = state
        .db
        .run(move |conn| {
            let r = match reception::accept(conn, &cal, &actor, &input, key.as_deref(), now_utc()) {
                Ok(r) => r,
                Err(e) => return Ok(Err(e)),
            };
            let detail = dossiers::load(conn, r.dossier)?;
            Ok(Ok((dossier_json(&detail, &public_url), r.created)))
        })
        .await?
        .map_err(action_error)?;
    let mut resp = HttpResponse::Created();
    resp.insert_header(("Location", format!("/api/v1/dossiers/{}", json.code)));
    if !created {
        resp.insert_header(("Idempotent-Replayed", "true"));
    }
    Ok(resp.json(json))
}

#[get("/dossiers/{code}")]
pub async fn show(
    staff: ApiStaff<DossierReaders>,
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

#[get("/dossiers")]
pub async fn list(
    staff: ApiStaff<DossierReaders>,
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

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ResultBody {
    number: Option<String>,
    date: Option<String>,
    signer: Option<String>,
    summary: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MissingBody {
    name: String,
    form: String,
    count: Option<i64>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ActionBody {
    action: Option<String>,
    version: Option<i64>,
    officer: Option<String>,
    missing: Vec<MissingBody>,
    note: Option<String>,
    result: Option<ResultBody>,
    reason: Option<String>,
    new_due_date: Option<String>,
    tracking_number: Option<String>,
    recipient_name: Option<String>,
    recipient_id_number: Option<String>,
    at: Option<String>,
    authorisation: Option<String>,
    postage: Option<i64>,
}

fn iso_date(raw: Option<&str>, field: &str, errors: &mut FieldErrors) -> Option<NaiveDate> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => match NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()
            .filter(|d| crate::domain::time::SANE_YEARS.contains(&d.year()))
        {
            Some(d) => Some(d),
            None => {
                errors.add(field, "Ngày có dạng YYYY-MM-DD.");
                None
            }
        },
    }
}

pub fn action_input(
    body: ActionBody,
) -> Result<crate::services::processing::ActionInput, FieldErrors> {
    let mut errors = FieldErrors::new();
    let result = body.result.unwrap_or_default();
    let result_date = iso_date(result.date.as_deref(), "result.date", &mut errors);
    let new_due_date = iso_date(body.new_due_date.as_deref(), "new_due_date", &mut errors);
    let at = match body.at.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(raw) => match parse_time(raw) {
            Some(t) => Some(local_to_utc(t)),
            None => {
                errors.add("at", "Thời điểm không đúng dạng RFC 3339.");
                None
            }
        },
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(crate::services::processing::ActionInput {
        action: body.action.unwrap_or_default(),
        version: body.version,
        officer: body.officer.unwrap_or_default(),
        missing: body
            .missing
            .into_iter()
            .map(|m| DocumentInput {
                name: m.name,
                form: m.form,
                count: m.count.map(|c| c.to_string()).unwrap_or_default(),
            })
            .collect(),
        note: body.note.unwrap_or_default(),
        result_number: result.number.unwrap_or_default(),
        result_date,
        result_signer: result.signer.unwrap_or_default(),
        result_summary: result.summary.unwrap_or_default(),
        reason: body.reason.unwrap_or_default(),
        new_due_date,
        tracking_number: body.tracking_number.unwrap_or_default(),
        recipient_name: body.recipient_name.unwrap_or_default(),
        recipient_id_number: body.recipient_id_number.unwrap_or_default(),
        at,
        authorisation: body.authorisation.unwrap_or_default(),
        postage: body.postage,
        shipment_id: None,
    })
}

#[post("/dossiers/{code}/actions")]
pub async fn act(
    staff: ApiStaff<crate::domain::role::AnyStaff>,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<ActionBody>,
) -> Result<HttpResponse, ApiError> {
    use crate::services::processing::ActError;
    let code = path.into_inner();
    let input = action_input(body.into_inner()).map_err(|e| ApiError::validation(&e))?;
    let cal = state.calendar().await?;
    let actor = Actor::from(&staff.user);
    let office = staff.user.office_id;
    let public_url = state.config.public_url.clone();
    let outcome = state
        .db
        .run(move |conn| {
            let visible = dossiers::visible_offices(conn, office)?;
            let Some(found) = crate::db::dossiers::Dossier::find_by_code(conn, code.trim())?
                .filter(|d| visible.contains(&d.office_id))
            else {
                return Ok(Err(ApiError::not_found()));
            };
            let result =
                crate::services::processing::act(conn, &cal, &actor, found.id, &input, now_utc());
            let fresh = crate::db::dossiers::Dossier::find(conn, found.id)?;
            let current = dossiers::load(conn, fresh)?;
            let json = dossier_json(&current, &public_url);
            Ok(match result {
                Ok(_) => Ok(json),
                Err(ActError::Invalid(e)) => Err(ApiError::validation(&e)),
                Err(ActError::Forbidden(m)) => {
                    Err(ApiError::new(StatusCode::FORBIDDEN, "forbidden", m))
                }
                Err(ActError::Stale(m)) | Err(ActError::WrongState(m)) => {
                    let mut e = ApiError::new(StatusCode::CONFLICT, "conflict", m);
                    e.dossier = serde_json::to_value(&json).ok();
                    Err(e)
                }
                Err(ActError::Failed(e)) => return Err(e),
            })
        })
        .await??;
    Ok(HttpResponse::Ok().json(outcome))
}
