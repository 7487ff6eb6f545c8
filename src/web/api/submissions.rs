//! Online submissions through the API (API.md "Online submissions"), so the
//! national and provincial public-service portals can hand them over:
//! `POST /api/v1/submissions` and the citizen's supplement,
//! `POST /api/v1/submissions/{code}/documents`. Public and rate-limited.

use std::collections::HashMap;

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use super::ApiError;
use crate::domain::citizen::{parse_code, parse_verifier, NOT_FOUND, TOO_MANY_LOOKUPS};
use crate::domain::fields::FieldErrors;
use crate::domain::reception::ApplicantInput;
use crate::domain::time::now_utc;
use crate::error::ActionError;
use crate::services::citizens::{self, Refusal};
use crate::services::dossiers::lookup_url;
use crate::services::submissions::{
    self, DocumentUpload, SubmissionInput, SupplementError, Upload, FROM_API, TOO_MANY,
};
use crate::state::AppState;
use crate::web::client_address;
use crate::web::online::{limits, oversized_message};
use crate::web::upload::{read_parts, Part, ReadError};

#[derive(Deserialize, serde::Serialize, Default)]
#[serde(default)]
#[serde(deny_unknown_fields)]
struct ApplicantBody {
    kind: Option<String>,
    full_name: Option<String>,
    representative: Option<String>,
    id_number: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    address: Option<String>,
}

/// A document of an online submission: its file is the part named `file`.
#[derive(Deserialize, serde::Serialize, Default, utoipa::ToSchema)]
#[serde(default)]
#[schema(as = SubmissionDocument)]
#[serde(deny_unknown_fields)]
struct DocumentBody {
    #[schema(schema_with = super::doc::document_name)]
    name: String,
    #[schema(schema_with = super::doc::document_form)]
    form: String,
    #[serde(deserialize_with = "crate::web::api::doc::integer::option", default)]
    #[schema(minimum = 1, maximum = 99)]
    count: Option<i64>,
    /// The name of the multipart part that holds the scan.
    #[schema(schema_with = super::doc::name)]
    file: String,
}

/// The `submission` part: the dossier filed online.
#[derive(Deserialize, serde::Serialize, Default, utoipa::ToSchema)]
#[serde(default)]
#[schema(as = Submission)]
#[serde(deny_unknown_fields)]
struct SubmissionBody {
    #[schema(schema_with = super::doc::name, required)]
    procedure_code: Option<String>,
    #[schema(value_type = Option<super::dossiers::receive::ApplicantBody>)]
    #[serde(deserialize_with = "crate::web::api::doc::object::option", default)]
    applicant: Option<ApplicantBody>,
    #[schema(max_items = 100)]
    documents: Vec<DocumentBody>,
    #[schema(schema_with = super::doc::return_method)]
    return_method: Option<String>,
    #[schema(schema_with = super::doc::optional_address)]
    postal_address: Option<String>,
    /// Extension: `false` when the applicant declined news by email and SMS.
    notify: Option<bool>,
    /// Extension: the receiving office's code; the front office when absent.
    #[schema(schema_with = super::doc::optional_name)]
    office: Option<String>,
}

/// The multipart body of `POST /submissions`: the `submission` part, and one
/// part per scanned file, named as its document's `file`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct SubmissionForm {
    #[schema(content_media_type = "application/json")]
    submission: SubmissionBody,
}

/// The multipart body of `POST /submissions/{code}/documents`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct SupplementForm {
    #[schema(schema_with = super::doc::verifier)]
    verifier: String,
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = SubmissionCreated)]
struct Created {
    code: String,
    #[schema(value_type = String)]
    status: &'static str,
    #[schema(value_type = String)]
    status_label: &'static str,
    lookup_url: String,
}

fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        ReadError::TooLarge(limit).message(),
    )
}

async fn read(payload: Multipart) -> Result<HashMap<String, Part>, ApiError> {
    match read_parts(payload, limits()).await {
        Ok(parts) => Ok(parts),
        Err(ReadError::TooLarge(limit)) => Err(too_large(limit)),
        Err(ReadError::Control(field)) => {
            let mut e = FieldErrors::new();
            e.add(&field, ReadError::Control(field.clone()).message());
            Err(ApiError::validation(&e))
        }
        Err(e) => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            e.message(),
        )),
    }
}

/// The file part `name`, or 413 when it was over the per-file limit.
fn file_part(parts: &HashMap<String, Part>, name: &str) -> Result<Option<Upload>, ApiError> {
    match parts.get(name) {
        Some(p) if p.oversized => Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("Tệp “{name}”: {}", oversized_message()),
        )),
        Some(p) if !p.bytes.is_empty() && !name.is_empty() => Ok(Some(Upload {
            file_name: if p.file_name.is_empty() {
                name.to_string()
            } else {
                p.file_name.clone()
            },
            bytes: p.bytes.clone(),
        })),
        _ => Ok(None),
    }
}

/// Page field names to the API's (`full_name` → `applicant.full_name`).
fn api_fields(errors: &FieldErrors) -> FieldErrors {
    const APPLICANT: [&str; 6] = [
        "full_name",
        "representative",
        "id_number",
        "phone",
        "email",
        "address",
    ];
    let mut out = FieldErrors::new();
    for (f, m) in errors.iter() {
        let name = match f {
            "applicant_kind" => "applicant.kind".to_string(),
            f if APPLICANT.contains(&f) => format!("applicant.{f}"),
            f => f.to_string(),
        };
        out.add(&name, m);
    }
    out
}

async fn allowed(req: &HttpRequest, state: &AppState) -> Result<(), ApiError> {
    let address = client_address(req, state);
    let ok = state
        .db
        .run(move |conn| submissions::allow(conn, &address, now_utc()))
        .await?;
    if ok {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            TOO_MANY,
        ))
    }
}

/// A dossier filed online by a citizen, with its scans (public, rate-limited).
#[utoipa::path(post, path = "/submissions",
    params(("Idempotency-Key" = Option<String>, Header, max_length = 200, pattern = "^[ -~]*[!-~][ -~]*$",
        description = "Gửi lại cùng khóa trong 24 giờ trả về hồ sơ đã tạo lần đầu")),
    request_body(content = SubmissionForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Đã nộp", body = Created),
        (status = 413, response = super::doc::PayloadTooLarge),
        (status = 429, response = super::doc::TooManyRequests),
    ))]
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: Multipart,
) -> Result<HttpResponse, ApiError> {
    let key = super::idempotency_key(&req)?.map(|k| format!("api:{k}"));
    let parts = read(payload).await?;
    let json_bytes = parts
        .get("submission")
        .map(|p| p.bytes.clone())
        .unwrap_or_default();
    let Some(json) = parts.get("submission") else {
        let mut e = FieldErrors::new();
        e.add(
            "submission",
            "Thiếu phần `submission` (JSON) trong nội dung gửi lên.",
        );
        return Err(ApiError::validation(&e));
    };
    let invalid = |m: String| {
        let mut errors = FieldErrors::new();
        errors.add("submission", m);
        ApiError::validation(&errors)
    };
    let value: serde_json::Value = serde_json::from_slice(&json.bytes).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            format!("Phần `submission` không phải JSON hợp lệ: {e}"),
        )
    })?;
    if let Some(at) = crate::web::input_guard::json_offender(&value, "") {
        let mut errors = FieldErrors::new();
        errors.add(
            &at,
            "Trường này có ký tự điều khiển không hợp lệ (ví dụ ký tự NUL). Hãy xoá ký tự đó rồi gửi lại.",
        );
        return Err(ApiError::validation(&errors));
    }
    let body: SubmissionBody = serde_json::from_value(value)
        .map_err(|e| invalid(format!("JSON không đúng cấu trúc: {e}")))?;
    let mut documents = Vec::new();
    for d in &body.documents {
        documents.push(DocumentUpload {
            name: d.name.clone(),
            form: d.form.clone(),
            count: d.count.map(|c| c.to_string()).unwrap_or_else(|| "1".into()),
            file: file_part(&parts, d.file.trim())?,
        });
    }
    let a = body.applicant.unwrap_or_default();
    let input = SubmissionInput {
        procedure_code: body.procedure_code.unwrap_or_default(),
        office_code: body.office.unwrap_or_default(),
        applicant: ApplicantInput {
            kind: a.kind.unwrap_or_default(),
            full_name: a.full_name.unwrap_or_default(),
            representative: a.representative.unwrap_or_default(),
            id_number: a.id_number.unwrap_or_default(),
            phone: a.phone.unwrap_or_default(),
            email: a.email.unwrap_or_default(),
            address: a.address.unwrap_or_default(),
        },
        documents,
        return_method: body.return_method.unwrap_or_else(|| "counter".into()),
        postal_address: body.postal_address.unwrap_or_default(),
        notify: body.notify.unwrap_or(true),
        source: FROM_API,
        // A key finds the first submission only with the same body: another
        // caller reusing a key neither reads nor replaces it.
        form_key: key.map(|k| {
            let hash = crate::db::files::sha256_hex(&json_bytes);
            format!("{k}:{}", &hash[..16])
        }),
    };
    allowed(&req, &state).await?;
    let cal = state.calendar().await?;
    let result = state
        .db
        .run(move |conn| Ok(submissions::submit(conn, &cal, &input, now_utc())))
        .await?;
    match result {
        Ok(s) => Ok(HttpResponse::Created().json(Created {
            status_label: submissions::status_label(&s.status),
            status: if s.status == submissions::ACCEPTED {
                "received"
            } else {
                crate::domain::dossier::Status::parse(&s.status)
                    .map(|x| x.as_str())
                    .unwrap_or("submitted")
            },
            lookup_url: lookup_url(&state.config.public_url, &s.lookup_token),
            code: s.code,
        })),
        Err(ActionError::Invalid(e)) => Err(ApiError::validation(&api_fields(&e))),
        Err(ActionError::Failed(e)) => Err(e.into()),
    }
}

#[derive(Serialize, utoipa::ToSchema)]
struct Supplemented {
    code: String,
    #[schema(value_type = String)]
    status: &'static str,
    #[schema(value_type = String)]
    status_label: &'static str,
    received_files: usize,
}

/// The citizen's supplement: one file part per document asked for, named
/// as the document's position (`0`, `1`…) or `file.0`, `file.1`…, with the
/// verifier in a part `verifier`.
#[utoipa::path(post, path = "/submissions/{code}/documents",
    params(("code" = String, Path, description = "Mã hồ sơ")),
    request_body(content = SupplementForm, content_type = "multipart/form-data"),
    responses(
        (status = 200, description = "Đã nhận bổ sung", body = Supplemented),
        (status = 404, response = super::doc::NotFound),
        (status = 409, response = super::doc::Conflict),
        (status = 413, response = super::doc::PayloadTooLarge),
        (status = 429, response = super::doc::TooManyRequests),
    ))]
pub async fn add_documents(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    payload: Multipart,
) -> Result<HttpResponse, ApiError> {
    let parts = read(payload).await?;
    let verifier = parts.get("verifier").map(Part::text).unwrap_or_default();
    let mut errors = FieldErrors::new();
    let code = errors.check("code", parse_code(&path.into_inner()));
    let verifier = errors.check("verifier", parse_verifier(&verifier));
    let (Some(code), Some(verifier)) = (code, verifier) else {
        return Err(ApiError::validation(&errors));
    };
    let address = client_address(&req, &state);
    let found = state
        .db
        .run(move |conn| citizens::lookup(conn, &code, &verifier, &address, now_utc()))
        .await?;
    let found = match found {
        Ok(f) => f,
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
    let target = crate::web::online::target_of(found);
    let asked = {
        let target = target.clone();
        state
            .db
            .run(move |conn| submissions::asked_lines(conn, &target))
            .await?
    };
    let mut lines = Vec::new();
    for (i, a) in asked.iter().enumerate() {
        let named = [format!("file.{i}"), i.to_string(), a.name.clone()];
        let mut file = None;
        for n in &named {
            if let Some(f) = file_part(&parts, n)? {
                file = Some(f);
                break;
            }
        }
        lines.push(DocumentUpload {
            name: a.name.clone(),
            form: a.form.clone(),
            count: a.count.clone(),
            file,
        });
    }
    let count = lines.iter().filter(|l| l.file.is_some()).count();
    allowed(&req, &state).await?;
    let result = {
        let target = target.clone();
        state
            .db
            .run(move |conn| Ok(submissions::supplement(conn, &target, &lines, now_utc())))
            .await?
    };
    match result {
        Ok(()) => {
            let status = state
                .db
                .run(move |conn| {
                    let found = match target {
                        submissions::SupplementTarget::Submission(s) => {
                            citizens::Found::Submission(crate::db::submissions::Submission::find(
                                conn, s.id,
                            )?)
                        }
                        submissions::SupplementTarget::Dossier(d) => citizens::Found::Dossier(
                            crate::db::dossiers::Dossier::find(conn, d.id)?,
                        ),
                    };
                    citizens::status_of(conn, found)
                })
                .await?;
            Ok(HttpResponse::Ok().json(Supplemented {
                code: status.code,
                status: status.status.as_str(),
                status_label: status.status.label(),
                received_files: count,
            }))
        }
        Err(SupplementError::Invalid(e)) => Err(ApiError::validation(&e)),
        Err(SupplementError::NotAwaited) => Err(ApiError::new(
            StatusCode::CONFLICT,
            "wrong_state",
            "Hồ sơ hiện không chờ bổ sung.",
        )),
        Err(SupplementError::Failed(e)) => Err(e.into()),
    }
}
