//! A staff member's two-factor login (administrators and leaders): turning
//! it on with an authenticator app, recovery codes, turning it off; and the
//! administrator's page that requires it.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::layout::Layout;
use super::see_other;
use crate::auth::csrf::CsrfForm;
use crate::auth::session::push_flash;
use crate::auth::Staff;
use crate::db::two_factor as store;
use crate::domain::fields::FieldErrors;
use crate::domain::time::{format_datetime, now_utc};
use crate::domain::two_factor::{applies_to, new_secret, setup_url};
use crate::error::AppError;
use crate::services::two_factor::{check_second_step, enable, renew_recovery_codes};
use crate::state::AppState;

/// The session key holding a secret being set up (not stored until confirmed).
const SETUP_SECRET: &str = "totp_setup";

#[derive(Template)]
#[template(path = "account/two_factor.html")]
struct TwoFactorPage {
    page: Layout,
    enabled_at: Option<String>,
    codes_left: i64,
    required: bool,
    /// While setting up: the secret in groups of four, and its QR code.
    secret: String,
    qr: String,
    /// Recovery codes to show once.
    new_codes: Vec<String>,
    errors: FieldErrors,
}

async fn render(
    req: &HttpRequest,
    state: &AppState,
    staff: &Staff,
    session: &Session,
    new_codes: Vec<String>,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let user_id = staff.id;
    let (enrolled, left, required) = state
        .db
        .run(move |conn| {
            Ok((
                store::find(conn, user_id)?,
                store::recovery_codes_left(conn, user_id)?,
                store::required(conn)?,
            ))
        })
        .await?;
    let (mut secret, mut qr) = (String::new(), String::new());
    if enrolled.is_none() {
        let current: Option<String> = session.get(SETUP_SECRET).ok().flatten();
        let s = match current {
            Some(s) => s,
            None => {
                let s = new_secret();
                session
                    .insert(SETUP_SECRET, &s)
                    .map_err(|e| AppError::Internal(format!("session: {e}")))?;
                s
            }
        };
        qr = setup_url(&s, &staff.username)
            .map(|u| super::print::qr_svg(&u))
            .unwrap_or_default();
        secret = s
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(" ");
    }
    let status = if new_codes.is_empty() {
        super::form_status(&errors)
    } else {
        StatusCode::OK
    };
    super::html(
        status,
        &TwoFactorPage {
            page: Layout::new(req, "Xác thực hai lớp", Some(&staff.user)),
            enabled_at: enrolled.map(|e| format_datetime(e.enabled_at)),
            codes_left: left,
            required: required && applies_to(staff.role),
            secret,
            qr,
            new_codes,
            errors,
        },
    )
}

pub async fn page(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
    session: Session,
) -> Result<HttpResponse, AppError> {
    render(
        &req,
        &state,
        &staff,
        &session,
        Vec::new(),
        FieldErrors::new(),
    )
    .await
}

#[derive(Deserialize)]
pub struct TwoFactorForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    code: String,
}

pub async fn submit(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
    session: Session,
    CsrfForm(form): CsrfForm<TwoFactorForm>,
) -> Result<HttpResponse, AppError> {
    let user_id = staff.id;
    let code: String = form.code.chars().take(64).collect();
    let mut errors = FieldErrors::new();
    if code.trim().is_empty() {
        errors.add("code", "Nhập mã 6 chữ số đang hiện trên ứng dụng xác thực.");
        return render(&req, &state, &staff, &session, Vec::new(), errors).await;
    }
    match form.action.as_str() {
        "enable" => {
            let Some(secret) = session.get::<String>(SETUP_SECRET).ok().flatten() else {
                return Ok(see_other("/account/hai-lop"));
            };
            // Already on (a setup left in another tab): the secret in force
            // is not replaced without its own code.
            if state
                .db
                .run(move |conn| store::find(conn, user_id))
                .await?
                .is_some()
            {
                session.remove(SETUP_SECRET);
                return Ok(see_other("/account/hai-lop"));
            }
            let codes = state
                .db
                .run(move |conn| enable(conn, user_id, &secret, &code, now_utc()))
                .await?;
            match codes {
                Some(codes) => {
                    session.remove(SETUP_SECRET);
                    tracing::info!(user_id, "two-factor login turned on");
                    render(&req, &state, &staff, &session, codes, errors).await
                }
                None => {
                    errors.add(
                        "code",
                        "Mã không đúng. Kiểm tra giờ trên điện thoại và nhập mã mới nhất.",
                    );
                    render(&req, &state, &staff, &session, Vec::new(), errors).await
                }
            }
        }
        "renew" | "disable" => {
            let disable = form.action == "disable";
            let required = applies_to(staff.role) && state.db.run(store::required).await?;
            if disable && required {
                errors.add(
                    "code",
                    "Quản trị hệ thống yêu cầu xác thực hai lớp cho vai trò của bạn: không tắt được.",
                );
                return render(&req, &state, &staff, &session, Vec::new(), errors).await;
            }
            let done = state
                .db
                .run(move |conn| {
                    if check_second_step(conn, user_id, &code, now_utc()).is_err() {
                        return Ok(None);
                    }
                    if disable {
                        store::disable(conn, user_id)?;
                        Ok(Some(Vec::new()))
                    } else {
                        renew_recovery_codes(conn, user_id).map(Some)
                    }
                })
                .await?;
            match done {
                None => {
                    errors.add(
                        "code",
                        "Mã không đúng, đã dùng rồi, hoặc bạn đã nhập sai nhiều lần (chờ ít phút).",
                    );
                    render(&req, &state, &staff, &session, Vec::new(), errors).await
                }
                Some(_) if disable => {
                    tracing::info!(user_id, "two-factor login turned off");
                    push_flash(&session, "success", "Đã tắt xác thực hai lớp.");
                    Ok(see_other("/account/hai-lop"))
                }
                Some(codes) => render(&req, &state, &staff, &session, codes, errors).await,
            }
        }
        _ => Err(AppError::BadRequest("Thao tác không hợp lệ.".into())),
    }
}

#[derive(Template)]
#[template(path = "admin/security.html")]
struct SecurityPage {
    page: Layout,
    required: bool,
    users: Vec<SecurityRow>,
}

struct SecurityRow {
    id: i64,
    username: String,
    full_name: String,
    role: &'static str,
    enabled: bool,
}

/// The administrator's security page: require two-factor login for
/// administrators and leaders, see who has it, turn it off for a user who
/// lost the phone.
pub async fn security_page(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let (required, users) = state
        .db
        .run(|conn| Ok((store::required(conn)?, store::concerned_users(conn)?)))
        .await?;
    let users = users
        .into_iter()
        .filter_map(|(id, username, full_name, role, enabled)| {
            Some(SecurityRow {
                id,
                username,
                full_name,
                role: role.parse::<crate::domain::Role>().ok()?.label(),
                enabled,
            })
        })
        .collect();
    super::html(
        StatusCode::OK,
        &SecurityPage {
            page: Layout::new(&req, "Bảo mật đăng nhập", Some(&staff.user)),
            required,
            users,
        },
    )
}

#[derive(Deserialize)]
pub struct SecurityForm {
    #[serde(default)]
    required: Option<String>,
}

pub async fn security_submit(
    staff: Staff,
    state: web::Data<AppState>,
    session: Session,
    CsrfForm(form): CsrfForm<SecurityForm>,
) -> Result<HttpResponse, AppError> {
    let on = form.required.is_some();
    state
        .db
        .run(move |conn| {
            crate::db::settings::set(
                conn,
                crate::domain::two_factor::REQUIRED_SETTING,
                if on { "1" } else { "0" },
            )
        })
        .await?;
    tracing::info!(
        by = staff.id,
        required = on,
        "two-factor requirement changed"
    );
    push_flash(
        &session,
        "success",
        if on {
            "Đã bắt buộc xác thực hai lớp cho quản trị hệ thống và lãnh đạo: ai chưa bật sẽ phải bật ở lần làm việc tới."
        } else {
            "Đã bỏ bắt buộc xác thực hai lớp."
        },
    );
    Ok(see_other("/admin/bao-mat"))
}

#[derive(Deserialize)]
pub struct Empty {}

/// Turns a user's two-factor login off (a lost phone with no recovery codes
/// left); the user sets it up again at the next sign-in when it is required.
pub async fn security_reset(
    staff: Staff,
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<i64>,
    _form: CsrfForm<Empty>,
) -> Result<HttpResponse, AppError> {
    let user_id = path.into_inner();
    let removed = state
        .db
        .run(move |conn| store::disable(conn, user_id))
        .await?;
    if !removed {
        return Err(AppError::NotFound);
    }
    tracing::info!(
        by = staff.id,
        user_id,
        "two-factor login reset by an administrator"
    );
    push_flash(
        &session,
        "success",
        "Đã tắt xác thực hai lớp của tài khoản; người dùng sẽ bật lại bằng điện thoại mới.",
    );
    Ok(see_other("/admin/bao-mat"))
}
