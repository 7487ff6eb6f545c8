//! Logging in and out.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
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
            let user_id = user.id;
            let enrolled = state
                .db
                .run(move |conn| crate::db::two_factor::find(conn, user_id))
                .await?
                .is_some();
            if enrolled {
                session::begin_second_step(
                    &session,
                    &session::PendingLogin {
                        user_id: user.id,
                        epoch: user.session_epoch,
                        at: chrono::Utc::now().timestamp(),
                        next,
                    },
                )?;
                return Ok(see_other(SECOND_STEP));
            }
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

/// The second step's page.
const SECOND_STEP: &str = "/login/ma-xac-thuc";

#[derive(Template)]
#[template(path = "auth/second_step.html")]
struct SecondStepPage {
    page: Layout,
    error: Option<String>,
}

fn pending(session: &Session) -> Option<session::PendingLogin> {
    session::pending_login(
        session,
        chrono::Utc::now().timestamp(),
        crate::domain::two_factor::PENDING_MINUTES * 60,
    )
}

/// Asks for the authenticator app's code (or a recovery code) after a right
/// password, for users who turned two-factor login on.
pub async fn second_step_form(
    req: HttpRequest,
    session: Session,
) -> Result<HttpResponse, AppError> {
    if pending(&session).is_none() {
        return Ok(see_other("/login?expired=1"));
    }
    super::html(
        StatusCode::OK,
        &SecondStepPage {
            page: Layout::new(&req, "Xác thực hai lớp", None),
            error: None,
        },
    )
}

#[derive(Deserialize)]
pub struct SecondStepForm {
    #[serde(default)]
    code: String,
}

pub async fn second_step_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    CsrfForm(form): CsrfForm<SecondStepForm>,
) -> Result<HttpResponse, AppError> {
    use crate::services::two_factor::{check_second_step, Passed, SecondStepError};
    let Some(login) = pending(&session) else {
        return Ok(see_other("/login?expired=1"));
    };
    let fail = |message: String, status: StatusCode| {
        super::html(
            status,
            &SecondStepPage {
                page: Layout::new(&req, "Xác thực hai lớp", None),
                error: Some(message),
            },
        )
    };
    if form.code.trim().is_empty() {
        return fail(
            "Nhập mã 6 chữ số trên ứng dụng xác thực, hoặc một mã dự phòng.".into(),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let user_id = login.user_id;
    let code = form.code.chars().take(64).collect::<String>();
    let checked = state
        .db
        .run(move |conn| {
            Ok(check_second_step(
                conn,
                user_id,
                &code,
                crate::domain::time::now_utc(),
            ))
        })
        .await?;
    match checked {
        Ok(passed) => {
            session::login(
                &session,
                login.user_id,
                login.epoch,
                chrono::Utc::now().timestamp(),
            )?;
            if let Passed::Recovery(left) = passed {
                session::push_flash(
                    &session,
                    "info",
                    &format!(
                        "Bạn vừa dùng một mã dự phòng; còn {left} mã. Nên tạo bộ mã mới tại trang Xác thực hai lớp."
                    ),
                );
            }
            tracing::info!(user_id = login.user_id, "login (two factors)");
            Ok(see_other(&login.next))
        }
        Err(SecondStepError::Wrong) => fail(
            "Mã không đúng, đã hết hạn hoặc đã được dùng. Nhập mã mới nhất trên ứng dụng.".into(),
            StatusCode::UNAUTHORIZED,
        ),
        Err(SecondStepError::Blocked(until)) => fail(
            format!(
                "Bạn đã nhập sai mã nhiều lần. Vui lòng thử lại sau {}.",
                format_datetime(until)
            ),
            StatusCode::TOO_MANY_REQUESTS,
        ),
        Err(SecondStepError::Failed(e)) => Err(e),
    }
}

#[derive(Deserialize)]
pub struct Empty {}

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
