//! `POST /api/v1/tokens`: exchange a username and password for a bearer token.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use super::ApiError;
use crate::auth::extract::token_hash;
use crate::auth::login::{attempt, LoginError};
use crate::db::api_tokens::ApiToken;
use crate::domain::fields::FieldErrors;
use crate::domain::time::{now_utc, rfc3339};
use crate::services::passwords::random_token;
use crate::state::AppState;
use crate::web::client_address;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    #[schema(schema_with = super::doc::name, required)]
    username: Option<String>,
    #[schema(value_type = String, min_length = 1, format = Password, required)]
    password: Option<String>,
    /// The authenticator app's code (or a recovery code), for users with
    /// two-factor login on.
    #[schema(value_type = Option<String>, max_length = 64)]
    totp: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = Token)]
struct TokenResponse {
    token: String,
    expires_at: String,
}

/// Exchanges a username and password (and the second factor, when on) for a bearer token.
#[utoipa::path(post, path = "/tokens", request_body = TokenRequest,
    responses(
        (status = 201, description = "Mã truy cập mới", body = TokenResponse),
        (status = 401, response = super::doc::Unauthorized),
        (status = 403, response = super::doc::Forbidden),
        (status = 429, response = super::doc::TooManyRequests),
    ))]
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<TokenRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let mut errors = FieldErrors::new();
    let username = body.username.unwrap_or_default();
    let password = body.password.unwrap_or_default();
    if username.trim().is_empty() {
        errors.add("username", "Nhập tên đăng nhập.");
    }
    if password.is_empty() {
        errors.add("password", "Nhập mật khẩu.");
    }
    if username.chars().count() > 200 {
        errors.add("username", "Tên đăng nhập không quá 200 ký tự.");
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(&errors));
    }
    let address = client_address(&req, &state);
    let user = match attempt(&state, &username, &password, &address).await {
        Ok(u) => u,
        Err(LoginError::Wrong) => {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "invalid_credentials",
                "Tên đăng nhập hoặc mật khẩu không đúng.",
            ))
        }
        Err(LoginError::Blocked(until)) => {
            return Err(ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_attempts",
                format!(
                    "Đã nhập sai mật khẩu nhiều lần. Thử lại sau {}.",
                    crate::domain::time::format_datetime(until)
                ),
            ))
        }
        Err(LoginError::Failed(e)) => return Err(e.into()),
    };
    if user.must_change_password {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "password_change_required",
            "Tài khoản phải đổi mật khẩu trên trang Một Cửa trước khi dùng API.",
        ));
    }
    second_factor(&state, &user, body.totp.unwrap_or_default()).await?;
    let token = random_token(32);
    let hash = token_hash(&token);
    let now = now_utc();
    let expires_at = now + chrono::Duration::hours(state.config.api_token_hours);
    let user_id = user.id;
    state
        .db
        .run(move |conn| {
            ApiToken::delete_expired(conn, now)?;
            ApiToken::insert(conn, &hash, user_id, now, expires_at)
        })
        .await?;
    Ok(HttpResponse::Created().json(TokenResponse {
        token,
        expires_at: rfc3339(expires_at),
    }))
}

/// The second factor for a token: required from users who turned two-factor
/// login on; a user whose role must use it and who has not set it up gets
/// no token until he does (on the pages).
async fn second_factor(
    state: &AppState,
    user: &crate::db::users::User,
    typed: String,
) -> Result<(), ApiError> {
    use crate::services::two_factor::{check_second_step, SecondStepError};
    enum Found {
        Passed,
        CodeMissing,
        SetupMissing,
        Checked(SecondStepError),
    }
    let user_id = user.id;
    let applies = user
        .role()
        .is_some_and(crate::domain::two_factor::applies_to);
    let typed: String = typed.chars().take(64).collect();
    let found = state
        .db
        .run(move |conn| {
            let enrolled = crate::db::two_factor::find(conn, user_id)?.is_some();
            Ok(if !enrolled {
                if applies && crate::db::two_factor::required(conn)? {
                    Found::SetupMissing
                } else {
                    Found::Passed
                }
            } else if typed.trim().is_empty() {
                Found::CodeMissing
            } else {
                match check_second_step(conn, user_id, &typed, now_utc()) {
                    Ok(_) => Found::Passed,
                    Err(e) => Found::Checked(e),
                }
            })
        })
        .await?;
    match found {
        Found::Passed => Ok(()),
        Found::CodeMissing => Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "two_factor_required",
            "Tài khoản đã bật xác thực hai lớp: gửi thêm mã 6 chữ số của ứng dụng xác thực trong trường totp.",
        )),
        Found::SetupMissing => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "two_factor_setup_required",
            "Vai trò của tài khoản phải dùng xác thực hai lớp: bật tại trang Xác thực hai lớp của Một Cửa trước khi dùng API.",
        )),
        Found::Checked(SecondStepError::Wrong) => Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_two_factor_code",
            "Mã xác thực hai lớp không đúng, đã hết hạn hoặc đã được dùng.",
        )),
        Found::Checked(SecondStepError::Blocked(until)) => Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_attempts",
            format!(
                "Đã nhập sai mã xác thực nhiều lần. Thử lại sau {}.",
                crate::domain::time::format_datetime(until)
            ),
        )),
        Found::Checked(SecondStepError::Failed(e)) => Err(e.into()),
    }
}
