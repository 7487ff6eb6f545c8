//! Receiving a dossier through the API: the body, its checks, `POST /api/v1/dossiers`.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use super::json::dossier_json;
use crate::auth::ApiStaff;
use crate::domain::fields::FieldErrors;
use crate::domain::reception::ApplicantInput;
use crate::domain::time::now_utc;
use crate::domain::time::{local_to_utc, parse_time};
use crate::error::ActionError;
use crate::services::dossiers::{self};
use crate::services::reception::{self, DocumentInput, ReceptionInput};
use crate::services::Actor;
use crate::state::AppState;
use crate::web::api::ApiError;

/// The applicant; an organisation names its representative and may leave
/// `id_number` out.
#[derive(Deserialize, serde::Serialize, Default, utoipa::ToSchema)]
#[serde(default)]
#[schema(as = NewApplicant)]
#[serde(deny_unknown_fields)]
pub struct ApplicantBody {
    #[schema(schema_with = crate::web::api::doc::applicant_kind)]
    kind: Option<String>,
    #[schema(schema_with = crate::web::api::doc::name, required)]
    full_name: Option<String>,
    #[schema(schema_with = crate::web::api::doc::optional_name)]
    representative: Option<String>,
    #[schema(schema_with = crate::web::api::doc::id_number, required)]
    id_number: Option<String>,
    #[schema(schema_with = crate::web::api::doc::phone, required)]
    phone: Option<String>,
    #[schema(schema_with = crate::web::api::doc::optional_email)]
    email: Option<String>,
    #[schema(schema_with = crate::web::api::doc::address, required)]
    address: Option<String>,
}

#[derive(Deserialize, serde::Serialize, utoipa::ToSchema)]
#[schema(as = NewDossierDocument)]
#[serde(deny_unknown_fields)]
pub struct DocumentBody {
    #[serde(default)]
    #[schema(schema_with = crate::web::api::doc::document_name, required)]
    name: String,
    #[serde(default)]
    #[schema(schema_with = crate::web::api::doc::document_form, required)]
    form: String,
    #[serde(deserialize_with = "crate::web::api::doc::integer::option", default)]
    #[schema(minimum = 1, maximum = 99)]
    count: Option<i64>,
}

/// A dossier received at the counter or by post (API.md "Receiving"). The
/// procedure decides which channels and return methods it takes and which
/// documents are required (`GET /procedures`).
#[derive(Deserialize, serde::Serialize, Default, utoipa::ToSchema)]
#[serde(default)]
#[schema(as = NewDossier)]
#[serde(deny_unknown_fields)]
pub struct NewDossierBody {
    #[schema(schema_with = crate::web::api::doc::name, required)]
    procedure_code: Option<String>,
    #[schema(schema_with = crate::web::api::doc::channel, required)]
    channel: Option<String>,
    #[schema(value_type = ApplicantBody, required)]
    #[serde(deserialize_with = "crate::web::api::doc::object::option", default)]
    applicant: Option<ApplicantBody>,
    #[schema(max_items = 100)]
    documents: Vec<DocumentBody>,
    #[serde(deserialize_with = "crate::web::api::doc::integer::option", default)]
    #[schema(minimum = 1, maximum = 99)]
    sets: Option<i64>,
    #[schema(schema_with = crate::web::api::doc::return_method, required)]
    return_method: Option<String>,
    /// Required when `return_method` is `postal`.
    #[schema(schema_with = crate::web::api::doc::optional_address)]
    postal_address: Option<String>,
    #[schema(schema_with = crate::web::api::doc::note)]
    note: Option<String>,
    /// Now when absent; any past moment from 01/01/2000.
    #[schema(schema_with = crate::web::api::doc::optional_past_time)]
    received_at: Option<String>,
    /// The post office's stamp, for postal dossiers only; not after `received_at`.
    #[schema(schema_with = crate::web::api::doc::optional_date)]
    postmarked_on: Option<String>,
    #[schema(schema_with = crate::web::api::doc::optional_name)]
    postal_record: Option<String>,
    #[schema(schema_with = crate::web::api::doc::optional_name)]
    postal_slip: Option<String>,
    #[serde(deserialize_with = "crate::web::api::doc::integer::option", default)]
    #[schema(minimum = 0, maximum = 1000000000000_i64)]
    fee_amount: Option<i64>,
    #[schema(schema_with = crate::web::api::doc::optional_name)]
    fee_receipt: Option<String>,
    /// Extension: `false` when the applicant declined news by email and SMS.
    notify: Option<bool>,
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
        notify: body.notify.unwrap_or(true),
        online_submission: None,
    })
}

/// Receives a dossier and gives it its code and due date.
#[utoipa::path(post, path = "/dossiers", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, max_length = 200, pattern = "^[ -~]*[!-~][ -~]*$",
        description = "Gửi lại cùng khóa trong 24 giờ trả về hồ sơ đã tạo lần đầu, không tạo hồ sơ mới (kèm header Idempotent-Replayed: true)")),
    request_body = NewDossierBody,
    responses(
        (status = 201, description = "Hồ sơ đã tiếp nhận", body = super::json::DossierJson),
        (status = 401, response = crate::web::api::doc::Unauthorized),
        (status = 403, response = crate::web::api::doc::Forbidden),
        (status = 413, response = crate::web::api::doc::PayloadTooLarge),
    ))]
pub async fn create(
    req: HttpRequest,
    staff: ApiStaff,
    state: web::Data<AppState>,
    body: web::Json<NewDossierBody>,
) -> Result<HttpResponse, ApiError> {
    // API.md: the same key within 24 hours returns the first answer and
    // creates nothing new. The body is checked first, so a request that would
    // be refused on its own is refused, key or not.
    let key = crate::web::api::idempotency_key(&req)?;
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
            let detail = dossiers::load_for_api(conn, r.dossier)?;
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
