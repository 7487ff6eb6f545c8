//! Logging in and out.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::layout::Layout;
use super::{client_address, safe_next, see_other};
use crate::auth::csrf::CsrfForm;
use crate::auth::extract::session_user;
use crate::auth::login::{attempt, LoginError};
use crate::auth::session;
use crate::domain::time::format_datetime;
use crate::error::AppError;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "auth/login.html")]
struct LoginPage {
    page: Layout,
    username: String,
    next: String,
    error: Option<String>,
    notice: Option<&'static str>,
}

fn render(page: LoginPage, status: StatusCode) -> Result<HttpResponse, AppError> {
    super::html(status, &page)
}

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    expired: Option<String>,
    logged_out: Option<String>,
}

#[get("/login")]
pub async fn login_form(
    req: HttpRequest,
    query: web::Query<LoginQuery>,
) -> Result<HttpResponse, AppError> {
    let next = safe_next(query.next.as_deref());
    if let Ok(Some(_)) = session_user(&req).await {
        return Ok(see_other(&next));
    }
    let notice = if query.expired.is_some() {
        Some("Phiên làm việc đã hết hạn vì lâu không thao tác. Vui lòng đăng nhập lại; dữ liệu đang nhập dở (nếu có) sẽ được điền lại vào biểu mẫu.")
    } else if query.logged_out.is_some() {
        Some("Bạn đã đăng xuất.")
    } else {
        None
    };
    render(
        LoginPage {
            page: Layout::new(&req, "Đăng nhập", None),
            username: String::new(),
            next,
            error: None,
            notice,
        },
        StatusCode::OK,
    )
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

#[post("/login")]
pub async fn login_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    CsrfForm(form): CsrfForm<LoginForm>,
) -> Result<HttpResponse, AppError> {
    let next = safe_next(form.next.as_deref());
    let fail = |message: String, status: StatusCode| {
        render(
            LoginPage {
                page: Layout::new(&req, "Đăng nhập", None),
                username: form.username.clone(),
                next: next.clone(),
                error: Some(message),
                notice: None,
            },
            status,
        )
    };
    if form.username.trim().is_empty() || form.password.is_empty() {
        return fail(
            "Nhập tên đăng nhập và mật khẩu.".into(),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let address = client_address(&req, &state);
    match attempt(&state, &form.username, &form.password, &address).await {
        Ok(user) => {
            session::login(
                &session,
                user.id,
                user.session_epoch,
                chrono::Utc::now().timestamp(),
            )?;
            tracing::info!(user_id = user.id, "login");
            Ok(see_other(&next))
        }
        Err(LoginError::Wrong) => fail(
            "Tên đăng nhập hoặc mật khẩu không đúng.".into(),
            StatusCode::UNAUTHORIZED,
        ),
        Err(LoginError::Blocked(until)) => fail(
            format!(
                "Bạn đã nhập sai mật khẩu nhiều lần. Vui lòng thử lại sau {}.",
                format_datetime(until)
            ),
            StatusCode::TOO_MANY_REQUESTS,
        ),
        Err(LoginError::Failed(e)) => Err(e),
    }
}

#[derive(Deserialize)]
pub struct Empty {}

#[post("/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    session: Session,
    _form: CsrfForm<Empty>,
) -> Result<HttpResponse, AppError> {
    if let Some(login) = session::current(&session) {
        // A copy of this cookie must not work after logout: remember its id
        // for as long as it could otherwise still be used.
        let idle = state.config.session_idle_seconds;
        state
            .db
            .run(move |conn| {
                let now = crate::domain::time::now_utc();
                crate::db::revoked_sessions::revoke(
                    conn,
                    &login.sid,
                    now + chrono::Duration::seconds(idle),
                    now,
                )
            })
            .await?;
    }
    session::logout(&session);
    Ok(see_other("/login?logged_out=1"))
}
