//! One application error type that knows its HTTP status and renders a
//! Vietnamese page, and its JSON rendering for the API (`ApiError`); the
//! error of an action refused for its input (`ActionError`).

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use askama::Template;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    /// Not logged in (or the session ended): go to the login page and come back.
    #[error("login required")]
    LoginRequired { next: String, expired: bool },
    /// The user must set a new password before anything else.
    #[error("password change required")]
    PasswordChangeRequired,
    /// Two-factor login is required and the user has not set it up yet.
    #[error("two-factor setup required")]
    TwoFactorSetupRequired,
    #[error("csrf token missing or wrong")]
    Csrf,
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("database error: {0}")]
    Db(#[from] diesel::result::Error),
    #[error("database pool error: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    #[error("{0}")]
    Startup(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Db(diesel::result::Error::NotFound) => StatusCode::NOT_FOUND,
            AppError::Forbidden | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::LoginRequired { .. }
            | AppError::PasswordChangeRequired
            | AppError::TwoFactorSetupRequired => StatusCode::SEE_OTHER,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Pool(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Db(_) | AppError::Startup(_) | AppError::Internal(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    /// A short title and a sentence for the person who met the error.
    pub fn title_and_message(&self) -> (&'static str, String) {
        match self.status() {
            StatusCode::NOT_FOUND => (
                "Không tìm thấy trang",
                "Trang hoặc hồ sơ bạn tìm không có, hoặc bạn không có quyền xem. Kiểm tra lại địa chỉ.".into(),
            ),
            StatusCode::FORBIDDEN if matches!(self, AppError::Csrf) => (
                "Biểu mẫu đã hết hiệu lực",
                "Biểu mẫu này đã hết hiệu lực (mã bảo vệ CSRF không đúng). Tải lại trang rồi thử lại.".into(),
            ),
            StatusCode::FORBIDDEN => (
                "Không có quyền truy cập",
                "Vai trò của bạn không được dùng chức năng này. Nếu cần, hãy liên hệ quản trị hệ thống.".into(),
            ),
            StatusCode::BAD_REQUEST => (
                "Yêu cầu không hợp lệ",
                match self {
                    AppError::BadRequest(m) => m.clone(),
                    _ => "Yêu cầu không hợp lệ.".into(),
                },
            ),
            StatusCode::CONFLICT => (
                "Không thực hiện được",
                match self {
                    AppError::Conflict(m) => m.clone(),
                    _ => "Thao tác không thực hiện được ở trạng thái hiện tại.".into(),
                },
            ),
            StatusCode::SERVICE_UNAVAILABLE => (
                "Hệ thống đang bận",
                "Hệ thống đang bận, vui lòng thử lại sau ít phút.".into(),
            ),
            _ => (
                "Đã có lỗi xảy ra",
                "Hệ thống gặp lỗi khi xử lý yêu cầu. Lỗi đã được ghi lại; vui lòng thử lại hoặc báo quản trị hệ thống.".into(),
            ),
        }
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        AppError::Internal(e.to_string())
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(format!("template: {e}"))
    }
}

#[derive(Template)]
#[template(path = "errors/error.html")]
struct ErrorPage<'a> {
    status: u16,
    title: &'a str,
    message: &'a str,
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        self.status()
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            AppError::LoginRequired { next, expired } => {
                let mut target = format!("/login?next={}", urlencode(next));
                if *expired {
                    target.push_str("&expired=1");
                }
                return HttpResponse::SeeOther()
                    .insert_header((header::LOCATION, target))
                    .finish();
            }
            AppError::PasswordChangeRequired => {
                return HttpResponse::SeeOther()
                    .insert_header((header::LOCATION, "/account/password"))
                    .finish();
            }
            AppError::TwoFactorSetupRequired => {
                return HttpResponse::SeeOther()
                    .insert_header((header::LOCATION, "/account/hai-lop"))
                    .finish();
            }
            _ => {}
        }
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let (title, message) = self.title_and_message();
        let body = ErrorPage {
            status: status.as_u16(),
            title,
            message: &message,
        }
        .render()
        .unwrap_or_else(|_| title.to_string());
        HttpResponse::build(status)
            .content_type("text/html; charset=utf-8")
            .body(body)
    }
}

/// Percent-encodes a query-string value.
pub fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("v", s)])
        .map(|q| q[2..].to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_follow_the_error() {
        assert_eq!(AppError::NotFound.status(), StatusCode::NOT_FOUND);
        assert_eq!(
            AppError::Db(diesel::result::Error::NotFound).status(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(AppError::Csrf.status(), StatusCode::FORBIDDEN);
        assert_eq!(
            AppError::Internal("x".into()).status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }

    #[test]
    fn login_redirect_keeps_the_target() {
        let resp = AppError::LoginRequired {
            next: "/admin/users?q=a b".into(),
            expired: true,
        }
        .error_response();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        let location = resp
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        assert_eq!(location, "/login?next=%2Fadmin%2Fusers%3Fq%3Da+b&expired=1");
    }
}

/// An action refused for its input, or failed for another reason.
#[derive(Debug)]
pub enum ActionError {
    Invalid(crate::domain::fields::FieldErrors),
    Failed(AppError),
}

impl ActionError {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let mut e = crate::domain::fields::FieldErrors::new();
        e.add(field, message);
        ActionError::Invalid(e)
    }
}

impl From<AppError> for ActionError {
    fn from(e: AppError) -> Self {
        ActionError::Failed(e)
    }
}

impl From<diesel::result::Error> for ActionError {
    fn from(e: diesel::result::Error) -> Self {
        ActionError::Failed(AppError::Db(e))
    }
}

/// `{"error": code, "message": Vietnamese sentence, "fields": {...}}`.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
#[schema(as = Error)]
pub struct ApiError {
    #[serde(skip)]
    #[schema(ignore)]
    pub status: StatusCode,
    /// A code for programs.
    pub error: &'static str,
    /// A Vietnamese sentence for people.
    pub message: String,
    /// Per field (422).
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub fields: std::collections::BTreeMap<String, String>,
    /// With a 409: the dossier as it is now, so the client can act again.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
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
            fields: std::collections::BTreeMap::new(),
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

    pub fn validation(errors: &crate::domain::fields::FieldErrors) -> Self {
        let mut e = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
            "Dữ liệu gửi lên chưa hợp lệ: xem từng trường trong fields.",
        );
        // A field named after what was sent never echoes a control character.
        e.fields = errors
            .iter()
            .map(|(f, m)| {
                let name: String = f
                    .chars()
                    .filter(|c| !crate::domain::text::is_control(*c))
                    .collect();
                (name, m.to_string())
            })
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
