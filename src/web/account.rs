//! A staff member's own account: changing the password.

use actix_session::Session;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::layout::Layout;
use super::see_other;
use crate::auth::csrf::CsrfForm;
use crate::auth::session;
use crate::auth::Staff;
use crate::domain::fields::FieldErrors;
use crate::domain::time::now_utc;
use crate::error::ActionError;
use crate::error::AppError;
use crate::services::administration::{change_own_password, password_change_gate, PasswordChange};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "account/password.html")]
struct PasswordPage {
    page: Layout,
    forced: bool,
    errors: FieldErrors,
}

fn page(req: &HttpRequest, staff: &Staff, errors: FieldErrors) -> Result<HttpResponse, AppError> {
    super::html(
        super::form_status(&errors),
        &PasswordPage {
            page: Layout::new(req, "Đổi mật khẩu", Some(&staff.user)),
            forced: staff.must_change_password,
            errors,
        },
    )
}

pub async fn password_form(req: HttpRequest, staff: Staff) -> Result<HttpResponse, AppError> {
    page(&req, &staff, FieldErrors::new())
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

pub async fn password_submit(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
    session: Session,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> Result<HttpResponse, AppError> {
    let id = staff.id;
    // The argon2 work (checking the current password, hashing the new one)
    // is done between two short uses of the database, never holding one.
    let result = match state
        .db
        .run(move |conn| Ok(password_change_gate(conn, id, now_utc())))
        .await?
    {
        Err(e) => Err(e),
        Ok(stored) => {
            let current_ok = !form.current_password.is_empty()
                && state
                    .hashing
                    .verify(&form.current_password, &stored)
                    .await?;
            let new_hash = if current_ok {
                state
                    .hashing
                    .hash_new(state.config.hash_cost, &form.new_password)
                    .await?
            } else {
                crate::domain::user::NewPassword::parse(&form.new_password).map(|_| String::new())
            };
            state
                .db
                .run(move |conn| {
                    let change = PasswordChange {
                        current: &form.current_password,
                        current_ok,
                        new: &form.new_password,
                        confirm: &form.confirm_password,
                        new_hash,
                    };
                    Ok(change_own_password(conn, id, change, now_utc()))
                })
                .await?
        }
    };
    match result {
        Ok(epoch) => {
            // Other sessions of this user end; this one goes on under the new epoch.
            session::login(&session, id, epoch, chrono::Utc::now().timestamp())?;
            session::push_flash(&session, "success", "Đã đổi mật khẩu.");
            Ok(see_other("/"))
        }
        Err(ActionError::Invalid(errors)) => page(&req, &staff, errors),
        Err(ActionError::Failed(e)) => Err(e),
    }
}

/// Keeps an idle session alive while its user is typing in a form (the
/// page's script calls it; the extractor records the activity).
pub async fn keep_alive(_staff: Staff) -> HttpResponse {
    HttpResponse::NoContent().finish()
}
