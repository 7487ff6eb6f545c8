//! Actions on a dossier: `POST /api/v1/dossiers/{code}/actions`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use super::json::dossier_json;
use crate::auth::ApiStaff;
use crate::domain::fields::FieldErrors;
use crate::domain::time::now_utc;
use crate::domain::time::{local_to_utc, parse_time};
use crate::services::dossiers::{self};
use crate::services::reception::DocumentInput;
use crate::services::Actor;
use crate::state::AppState;
use crate::web::api::ApiError;

/// The decision or document that settles the dossier (`approve`, `refuse`).
#[derive(Deserialize, serde::Serialize, Default, utoipa::ToSchema)]
#[serde(default)]
#[schema(as = ActionResult)]
#[serde(deny_unknown_fields)]
pub struct ResultBody {
    #[schema(schema_with = crate::web::api::doc::optional_name)]
    number: Option<String>,
    #[schema(schema_with = crate::web::api::doc::optional_past_date)]
    date: Option<String>,
    #[schema(schema_with = crate::web::api::doc::optional_name)]
    signer: Option<String>,
    #[schema(schema_with = crate::web::api::doc::note)]
    summary: Option<String>,
}

/// A document asked for (`request_supplement`).
#[derive(Deserialize, serde::Serialize, Default, utoipa::ToSchema)]
#[serde(default)]
#[schema(as = MissingDocument)]
#[serde(deny_unknown_fields)]
pub struct MissingBody {
    #[schema(schema_with = crate::web::api::doc::document_name)]
    name: String,
    #[schema(schema_with = crate::web::api::doc::document_form)]
    form: String,
    #[serde(deserialize_with = "crate::web::api::doc::integer::option", default)]
    #[schema(minimum = 1, maximum = 99)]
    count: Option<i64>,
}

/// An action on a dossier (API.md "Actions"); which fields an action needs
/// is in API.md (e.g. `officer` for `assign`, `reason` for `refuse`).
#[derive(Deserialize, serde::Serialize, Default, utoipa::ToSchema)]
#[serde(default)]
#[schema(as = DossierAction)]
#[serde(deny_unknown_fields)]
pub struct ActionBody {
    #[schema(schema_with = crate::web::api::doc::action, required)]
    action: Option<String>,
    /// The dossier's `version` as read; a stale one is 409.
    #[serde(deserialize_with = "crate::web::api::doc::integer::option", default)]
    #[schema(value_type = i64, minimum = -2147483648, maximum = 2147483647, required)]
    version: Option<i64>,
    #[schema(schema_with = crate::web::api::doc::optional_name)]
    officer: Option<String>,
    #[schema(max_items = 100)]
    missing: Vec<MissingBody>,
    #[schema(schema_with = crate::web::api::doc::note)]
    note: Option<String>,
    #[serde(deserialize_with = "crate::web::api::doc::object::option", default)]
    result: Option<ResultBody>,
    #[schema(schema_with = crate::web::api::doc::note)]
    reason: Option<String>,
    #[schema(schema_with = crate::web::api::doc::optional_date)]
    new_due_date: Option<String>,
    #[schema(schema_with = crate::web::api::doc::optional_short)]
    tracking_number: Option<String>,
    #[schema(schema_with = crate::web::api::doc::optional_name)]
    recipient_name: Option<String>,
    #[schema(schema_with = crate::web::api::doc::optional_short)]
    recipient_id_number: Option<String>,
    #[schema(schema_with = crate::web::api::doc::optional_past_time)]
    at: Option<String>,
    #[schema(schema_with = crate::web::api::doc::note)]
    authorisation: Option<String>,
    #[serde(deserialize_with = "crate::web::api::doc::integer::option", default)]
    #[schema(minimum = 0, maximum = 100000000)]
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

/// Moves a dossier through its procedure (assign, approve, deliver...).
#[utoipa::path(post, path = "/dossiers/{code}/actions", security(("bearer" = [])),
    params(("code" = String, Path, description = "Mã hồ sơ")),
    request_body = ActionBody,
    responses(
        (status = 200, description = "Hồ sơ sau thao tác", body = super::json::DossierJson),
        (status = 401, response = crate::web::api::doc::Unauthorized),
        (status = 403, response = crate::web::api::doc::Forbidden),
        (status = 404, response = crate::web::api::doc::NotFound),
        (status = 409, response = crate::web::api::doc::Conflict),
        (status = 413, response = crate::web::api::doc::PayloadTooLarge),
    ))]
pub async fn act(
    staff: ApiStaff,
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
            let current = dossiers::load_for_api(conn, fresh)?;
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
