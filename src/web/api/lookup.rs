//! `POST /api/v1/lookup` (public, rate-limited): a dossier's status for the
//! citizen, by its code and the verifier, with no personal data.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use super::ApiError;
use crate::domain::citizen::{parse_code, parse_verifier, NOT_FOUND, TOO_MANY_LOOKUPS};
use crate::domain::fields::FieldErrors;
use crate::domain::time::{now_utc, rfc3339};
use crate::services::citizens::{self, Refusal};
use crate::state::AppState;
use crate::web::client_address;

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = LookupRequest)]
#[serde(deny_unknown_fields)]
pub struct LookupBody {
    /// The code on the receipt.
    #[serde(default)]
    #[schema(schema_with = super::doc::code, required)]
    code: String,
    /// The last four digits of the phone number or of the ID number.
    #[serde(default)]
    #[schema(schema_with = super::doc::verifier, required)]
    verifier: String,
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = PublicStep)]
struct Step {
    at: String,
    label: String,
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = PublicOffice)]
struct Office {
    name: String,
    address: String,
    phone: String,
    email: String,
    hours: String,
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = PublicStatus)]
struct Status {
    code: String,
    procedure: String,
    #[schema(value_type = String)]
    status: &'static str,
    #[schema(value_type = String)]
    status_label: &'static str,
    received_at: String,
    due_date: Option<String>,
    timeline: Vec<Step>,
    next_step: String,
    /// Extensions: the office and how to reach it, the first date and the
    /// reason after an apology, the documents asked for, the post's return.
    office: Office,
    original_due_date: Option<String>,
    extension_reason: Option<String>,
    missing: Vec<String>,
    postal_return: Option<String>,
    voided: bool,
}

/// A dossier's status for the citizen, by its code and the verifier, without personal data.
#[utoipa::path(post, path = "/lookup", request_body = LookupBody,
    responses(
        (status = 200, description = "Tình trạng hồ sơ", body = Status),
        (status = 404, response = super::doc::NotFound),
        (status = 413, response = super::doc::PayloadTooLarge),
        (status = 429, response = super::doc::TooManyRequests),
    ))]
pub async fn lookup(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<LookupBody>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = FieldErrors::new();
    let code = errors.check("code", parse_code(&body.code));
    let verifier = errors.check("verifier", parse_verifier(&body.verifier));
    let (Some(code), Some(verifier)) = (code, verifier) else {
        return Err(ApiError::validation(&errors));
    };
    let address = client_address(&req, &state);
    let found = state
        .db
        .run(move |conn| citizens::lookup(conn, &code, &verifier, &address, now_utc()))
        .await?;
    let d = match found {
        Ok(d) => d,
        Err(Refusal::NotFound) => {
            return Err(ApiError::new(StatusCode::NOT_FOUND, "not_found", NOT_FOUND))
        }
        Err(Refusal::TooMany) => {
            return Err(ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                TOO_MANY_LOOKUPS,
            ))
        }
    };
    let s = state
        .db
        .run(move |conn| citizens::status_of(conn, d))
        .await?;
    let date = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    Ok(HttpResponse::Ok().json(Status {
        code: s.code,
        procedure: s.procedure,
        status: s.status.as_str(),
        status_label: s.status.label(),
        received_at: rfc3339(s.received_at),
        due_date: s.due_date.map(date),
        timeline: s
            .timeline
            .into_iter()
            .map(|t| Step {
                at: rfc3339(t.at),
                label: t.label,
            })
            .collect(),
        next_step: s.next_step,
        office: Office {
            name: s.office.name,
            address: s.office.contacts.address,
            phone: s.office.contacts.phone,
            email: s.office.contacts.email,
            hours: s.office.contacts.hours,
        },
        original_due_date: s.original_due_date.map(date),
        extension_reason: s.extension_reason,
        missing: s.missing,
        postal_return: s.postal_return,
        voided: s.voided,
    }))
}
