//! The JSON API, version 1 (API.md): the same capabilities as the pages.

pub mod calendar;
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

const OPENAPI: &str = include_str!("openapi.json");

/// The OpenAPI 3 description of what exists so far.
pub async fn openapi(state: web::Data<AppState>) -> HttpResponse {
    let body = OPENAPI.replace("{{PUBLIC_URL}}", &state.config.public_url);
    HttpResponse::Ok()
        .content_type("application/json")
        .body(body)
}

#[derive(Serialize)]
struct Me {
    username: String,
    full_name: String,
    role: &'static str,
    office: String,
}

/// Who the token belongs to (an addition to API.md, handy for integrators).
pub async fn me(staff: ApiStaff) -> HttpResponse {
    HttpResponse::Ok().json(Me {
        username: staff.username.clone(),
        full_name: staff.full_name.clone(),
        role: staff.role.as_str(),
        office: staff.office_code.clone(),
    })
}
