//! The JSON API, version 1 (API.md): the same capabilities as the pages.

pub mod calendar;
pub mod dossiers;
pub mod procedures;
pub mod tokens;

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{get, web, HttpResponse, ResponseError};
use serde::Serialize;

use crate::auth::ApiStaff;
use crate::domain::role::AnyStaff;
use crate::error::AppError;
use crate::state::AppState;
use crate::validation::FieldErrors;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(tokens::create)
        .service(openapi)
        .service(me)
        .service(calendar::holidays)
        .service(calendar::due_date)
        .service(procedures::list)
        .service(dossiers::create)
        .service(dossiers::list)
        .service(dossiers::show)
        .service(dossiers::act);
}

/// `{"error": code, "message": Vietnamese sentence, "fields": {...}}`.
#[derive(Debug, Serialize)]
pub struct ApiError {
    #[serde(skip)]
    pub status: StatusCode,
    pub error: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, String>,
    /// With a 409: the dossier as it is now, so the client can act again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dossier: Option<serde_json::Value>,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status, self.error, self.message)
    }
}

impl ApiError {
    pub fn new(status: StatusCode, error: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            error,
            message: message.into(),
            fields: BTreeMap::new(),
            dossier: None,
        }
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Thiếu mã truy cập hoặc mã truy cập không hợp lệ, đã hết hạn.",
        )
    }

    pub fn forbidden() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Vai trò của bạn không được dùng chức năng này.",
        )
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "Không tìm thấy.")
    }

    pub fn validation(errors: &FieldErrors) -> Self {
        let mut e = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
            "Dữ liệu gửi lên chưa hợp lệ: xem từng trường trong fields.",
        );
        e.fields = errors
            .iter()
            .map(|(f, m)| (f.to_string(), m.to_string()))
            .collect();
        e
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.status).json(self)
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        let status = e.status();
        if status.is_server_error() {
            tracing::error!(error = %e, "api request failed");
        }
        let (_, message) = e.title_and_message();
        let code = match status {
            StatusCode::NOT_FOUND => "not_found",
            StatusCode::FORBIDDEN => "forbidden",
            StatusCode::BAD_REQUEST => "bad_request",
            StatusCode::CONFLICT => "conflict",
            StatusCode::SERVICE_UNAVAILABLE => "unavailable",
            StatusCode::SEE_OTHER => return ApiError::unauthorized(),
            _ => "internal",
        };
        ApiError::new(status, code, message)
    }
}

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
#[get("/openapi.json")]
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
#[get("/me")]
pub async fn me(staff: ApiStaff<AnyStaff>) -> HttpResponse {
    HttpResponse::Ok().json(Me {
        username: staff.username.clone(),
        full_name: staff.full_name.clone(),
        role: staff.role.as_str(),
        office: staff.office_code.clone(),
    })
}
