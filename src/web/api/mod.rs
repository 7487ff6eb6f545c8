//! The JSON API, version 1 (API.md): the same capabilities as the pages.

pub mod calendar;
pub mod doc;
pub mod dossiers;
pub mod feedback;
pub mod lookup;
pub mod procedures;
pub mod reports;
pub mod submissions;
pub mod tokens;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

use crate::auth::ApiStaff;
use crate::error::AppError;
use crate::state::AppState;
use serde::Serialize;

pub use crate::error::ApiError;

/// Malformed JSON is a 400, an oversized body a 413, both in the API's error shape.
pub fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(1024 * 1024)
        .error_handler(|err, _req| {
            use actix_web::error::JsonPayloadError;
            let api = match &err {
                JsonPayloadError::OverflowKnownLength { .. }
                | JsonPayloadError::Overflow { .. } => ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload_too_large",
                    "Nội dung gửi lên vượt quá 1 MiB.",
                ),
                JsonPayloadError::ContentType => ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "bad_request",
                    "Nội dung phải là JSON (Content-Type: application/json).",
                ),
                _ => ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "bad_request",
                    format!("JSON không hợp lệ: {err}"),
                ),
            };
            api.into()
        })
}

/// The `Idempotency-Key` header as the contract states it
/// (`IDEMPOTENCY_KEY_PATTERN`): 1 to 200 printable ASCII characters, not only
/// spaces; trimmed. Anything else is a 400.
pub const IDEMPOTENCY_KEY_PATTERN: &str = "^[ -~]*[!-~][ -~]*$";

pub fn idempotency_key(req: &actix_web::HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(v) = req.headers().get("Idempotency-Key") else {
        return Ok(None);
    };
    let raw = v.as_bytes();
    let printable = raw.iter().all(|b| (0x20..=0x7e).contains(b));
    match std::str::from_utf8(raw).map(str::trim) {
        Ok(k) if printable && !k.is_empty() && raw.len() <= 200 => Ok(Some(k.to_string())),
        _ => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "Idempotency-Key là chuỗi ký tự in được, tối đa 200 ký tự.",
        )),
    }
}

/// A query string that does not parse is a 400 in the API's error shape.
pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err, req| {
        if req.path().starts_with("/api/") {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_request",
                format!("Tham số truy vấn không hợp lệ: {err}"),
            )
            .into()
        } else {
            AppError::BadRequest("Tham số trên địa chỉ trang không hợp lệ.".into()).into()
        }
    })
}

/// The published document: the generated one (`doc::ApiDoc`), with what the
/// server enforces on every operation stated once here rather than on each: free text
/// (strings without a format, pattern or enum) carries no control character;
/// any operation may answer 400 (a malformed query string, body or
/// repeated parameter) and 422 (a control character anywhere in the path,
/// query or body).
fn published() -> String {
    let mut doc = doc::generated();
    state_enforced(&mut doc);
    serde_json::to_string_pretty(&doc).expect("serialises")
}

fn state_enforced(v: &mut serde_json::Value) {
    use serde_json::{json, Value};
    match v {
        Value::Object(map) => {
            let is_string = match map.get("type") {
                Some(Value::String(t)) => t == "string",
                Some(Value::Array(ts)) => ts.iter().any(|t| t == "string"),
                _ => false,
            };
            let free_text = is_string
                && !["enum", "pattern", "const"]
                    .iter()
                    .any(|k| map.contains_key(*k))
                && map.get("format").is_none_or(|f| f == "password");
            if free_text {
                map.insert("pattern".into(), Value::from(doc::no_control()));
            }
            if let Some(Value::Object(responses)) = map.get_mut("responses") {
                if responses.keys().all(|k| k.len() == 3) {
                    for (code, text) in [
                        ("400", "#/components/responses/BadRequest"),
                        ("422", "#/components/responses/Validation"),
                    ] {
                        responses
                            .entry(code)
                            .or_insert_with(|| json!({ "$ref": text }));
                    }
                }
            }
            for (_, child) in map.iter_mut() {
                state_enforced(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(state_enforced),
        _ => {}
    }
}

/// The OpenAPI description of the API (this document).
#[utoipa::path(get, path = "/openapi.json",
    responses((status = 200, description = "Tài liệu OpenAPI", content_type = "application/json", body = Object)))]
pub async fn openapi(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    static DOC: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let base = DOC.get_or_init(published);
    let catalog = state
        .db
        .run(|conn| crate::db::procedures::Procedure::all_full(conn, true))
        .await?;
    let catalog: Vec<doc::CatalogProcedure> = catalog.iter().map(catalog_entry).collect();
    let mut doc: serde_json::Value = serde_json::from_str(base).expect("published JSON");
    doc::with_catalog(&mut doc, &catalog);
    let body = serde_json::to_string_pretty(&doc)
        .expect("serialises")
        .replace("{{PUBLIC_URL}}", &state.config.public_url);
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(body))
}

fn catalog_entry(p: &crate::db::procedures::ProcedureFull) -> doc::CatalogProcedure {
    use chrono::NaiveDate;
    let codes = |s: &str| -> Vec<String> {
        crate::domain::procedure::split_codes(s)
            .into_iter()
            .map(String::from)
            .collect()
    };
    doc::CatalogProcedure {
        code: p.procedure.code.clone(),
        channels: codes(&p.procedure.channels),
        return_methods: codes(&p.procedure.return_methods),
        required: p
            .documents
            .iter()
            .filter(|d| d.required)
            .map(|d| d.name.clone())
            .collect(),
        years: (2001..=2025)
            .filter(|&y| {
                [(1, 1), (6, 30), (12, 31)].iter().all(|&(m, d)| {
                    NaiveDate::from_ymd_opt(y, m, d)
                        .and_then(|day| p.working_days_on(day))
                        .is_some()
                })
            })
            .collect(),
    }
}

#[cfg(test)]
mod contract_tests {
    use super::*;

    #[test]
    fn the_published_document_states_what_every_operation_enforces() {
        let doc: serde_json::Value = serde_json::from_str(&published()).unwrap();
        let mut operations = 0;
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let Some(responses) = op.get("responses") else {
                    continue;
                };
                operations += 1;
                for code in ["400", "422"] {
                    assert!(
                        responses.get(code).is_some(),
                        "{method} {path} documents {code}"
                    );
                }
            }
        }
        assert!(operations >= 17, "{operations}");
        // Patterns written in attributes are the validators' own.
        for path in ["/dossiers", "/submissions"] {
            let key = &doc["paths"][path]["post"]["parameters"][0];
            assert_eq!(key["name"], "Idempotency-Key");
            assert_eq!(key["schema"]["pattern"], IDEMPOTENCY_KEY_PATTERN);
        }
        let id = &doc["components"]["schemas"]["NewApplicant"]["properties"]["id_number"];
        assert_eq!(id["pattern"], crate::domain::applicant::CitizenId::PATTERN);
        let name = &doc["components"]["schemas"]["TokenRequest"]["properties"]["username"];
        assert_eq!(name["pattern"], doc::not_blank());
        // C0 and C1 controls, but tab, line feed and carriage return, as the guard.
        assert!(doc::CONTROLS.contains("\\u0000-\\u0008") && !doc::CONTROLS.contains("\\u0009"));
        let password = &doc["components"]["schemas"]["TokenRequest"]["properties"]["totp"];
        assert_eq!(password["maxLength"], 64);
    }
}

#[derive(Serialize, utoipa::ToSchema)]
struct Me {
    username: String,
    full_name: String,
    #[schema(value_type = String, example = "reception")]
    role: &'static str,
    office: String,
}

#[utoipa::path(get, path = "/me", security(("bearer" = [])),
    responses(
        (status = 200, description = "Người dùng", body = Me),
        (status = 401, response = doc::Unauthorized),
    ))]
/// Who the token belongs to (an addition to API.md, handy for integrators).
pub async fn me(staff: ApiStaff) -> HttpResponse {
    HttpResponse::Ok().json(Me {
        username: staff.username.clone(),
        full_name: staff.full_name.clone(),
        role: staff.role.as_str(),
        office: staff.office_code.clone(),
    })
}
