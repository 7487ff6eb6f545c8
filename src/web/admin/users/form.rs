//! A user created or edited: the form, its checks, a new password set by the administrator.

use actix_session::Session;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::auth::csrf::CsrfForm;
use crate::auth::session::push_flash;
use crate::auth::Staff;
use crate::db::offices::Office;
use crate::db::users::User;
use crate::domain::fields::FieldErrors;
use crate::domain::time::now_utc;
use crate::error::ActionError;
use crate::error::AppError;
use crate::services::administration::{self, NewUserInput, UserChanges};
use crate::state::AppState;
use crate::web::layout::Layout;
use crate::web::{form_status, html, see_other};

use super::index::{role_options, RoleOption};
/// The fields of the user form, as typed.
#[derive(Deserialize, Default)]
pub struct UserForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    full_name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    office: String,
    #[serde(default)]
    password: String,
    must_change_password: Option<String>,
    active: Option<String>,
}

impl UserForm {
    /// The form filled from a stored user.
    fn of(user: &User, office_code: String) -> UserForm {
        UserForm {
            username: user.username.clone(),
            full_name: user.full_name.clone(),
            role: user.role.clone(),
            office: office_code,
            active: user.active.then(|| "on".to_string()),
            ..UserForm::default()
        }
    }
}

#[derive(Template)]
#[template(path = "admin/user_form.html")]
struct UserFormPage {
    page: Layout,
    /// `None` when creating.
    user: Option<User>,
    form: UserForm,
    roles: Vec<RoleOption>,
    offices: Vec<Office>,
    errors: FieldErrors,
    reset_errors: FieldErrors,
}

impl UserFormPage {
    fn is_checked(v: &Option<String>) -> bool {
        v.is_some()
    }
    fn must_change(&self) -> bool {
        Self::is_checked(&self.form.must_change_password)
    }
    fn is_active(&self) -> bool {
        Self::is_checked(&self.form.active)
    }
}

async fn form_page(
    req: &HttpRequest,
    staff: &Staff,
    state: &AppState,
    user: Option<User>,
    form: UserForm,
    errors: FieldErrors,
    reset_errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let offices = state.db.run(Office::all).await?;
    let title = if user.is_some() {
        "Sửa người dùng"
    } else {
        "Thêm người dùng"
    };
    let status = if errors.is_empty() {
        form_status(&reset_errors)
    } else {
        form_status(&errors)
    };
    html(
        status,
        &UserFormPage {
            page: Layout::new(req, title, Some(&staff.user)),
            user,
            form,
            roles: role_options(),
            offices,
            errors,
            reset_errors,
        },
    )
}

pub async fn new_form(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let form = UserForm {
        office: staff.office_code.clone(),
        must_change_password: Some("on".into()),
        active: Some("on".into()),
        ..UserForm::default()
    };
    form_page(
        &req,
        &staff,
        &state,
        None,
        form,
        FieldErrors::new(),
        FieldErrors::new(),
    )
    .await
}

pub async fn create(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
    session: Session,
    CsrfForm(form): CsrfForm<UserForm>,
) -> Result<HttpResponse, AppError> {
    let input = NewUserInput {
        username: form.username.clone(),
        full_name: form.full_name.clone(),
        role: form.role.clone(),
        office_code: form.office.clone(),
        must_change_password: form.must_change_password.is_some(),
    };
    let actor = crate::services::Actor::from(&staff.user);
    // Hashed before a database connection is taken.
    let hashed = state
        .hashing
        .hash_new(state.config.hash_cost, &form.password)
        .await?;
    let result = state
        .db
        .run(move |conn| {
            Ok(administration::create_user(
                conn,
                &actor,
                &input,
                hashed,
                now_utc(),
            ))
        })
        .await?;
    match result {
        Ok(user) => {
            push_flash(
                &session,
                "success",
                &format!("Đã thêm người dùng {}.", user.username),
            );
            Ok(see_other("/admin/users"))
        }
        Err(ActionError::Invalid(errors)) => {
            let form = UserForm {
                password: String::new(),
                ..form
            };
            form_page(&req, &staff, &state, None, form, errors, FieldErrors::new()).await
        }
        Err(ActionError::Failed(e)) => Err(e),
    }
}

pub async fn edit_form(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let (user, office) = state
        .db
        .run(move |conn| User::with_office(conn, id)?.ok_or(AppError::NotFound))
        .await?;
    let form = UserForm::of(&user, office.code);
    form_page(
        &req,
        &staff,
        &state,
        Some(user),
        form,
        FieldErrors::new(),
        FieldErrors::new(),
    )
    .await
}

async fn load_user(state: &AppState, id: i64) -> Result<User, AppError> {
    state
        .db
        .run(move |conn| User::find_editable(conn, id))
        .await
}

pub async fn update(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<i64>,
    CsrfForm(form): CsrfForm<UserForm>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let user = load_user(&state, id).await?;
    let changes = UserChanges {
        full_name: form.full_name.clone(),
        role: form.role.clone(),
        office_code: form.office.clone(),
        active: form.active.is_some(),
    };
    let actor = crate::services::Actor::from(&staff.user);
    let result = state
        .db
        .run(move |conn| {
            Ok(administration::update_user(
                conn,
                &actor,
                id,
                &changes,
                now_utc(),
            ))
        })
        .await?;
    match result {
        Ok(()) => {
            push_flash(
                &session,
                "success",
                &format!("Đã lưu thay đổi của {}.", user.username),
            );
            Ok(see_other("/admin/users"))
        }
        Err(ActionError::Invalid(errors)) => {
            let form = UserForm {
                username: user.username.clone(),
                ..form
            };
            form_page(
                &req,
                &staff,
                &state,
                Some(user),
                form,
                errors,
                FieldErrors::new(),
            )
            .await
        }
        Err(ActionError::Failed(e)) => Err(e),
    }
}

#[derive(Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    password: String,
}

pub async fn reset_password(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<i64>,
    CsrfForm(form): CsrfForm<ResetForm>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let actor = crate::services::Actor::from(&staff.user);
    let hashed = state
        .hashing
        .hash_new(state.config.hash_cost, &form.password)
        .await?;
    let result = state
        .db
        .run(move |conn| {
            Ok(administration::reset_password(
                conn,
                &actor,
                id,
                hashed,
                now_utc(),
            ))
        })
        .await?;
    match result {
        Ok(()) => {
            let user = load_user(&state, id).await?;
            push_flash(
                &session,
                "success",
                &format!(
                    "Đã đặt lại mật khẩu của {}. Người dùng phải đổi mật khẩu khi đăng nhập lần sau.",
                    user.username
                ),
            );
            Ok(see_other(&format!("/admin/users/{id}")))
        }
        Err(ActionError::Invalid(errors)) => {
            let (user, office) = state
                .db
                .run(move |conn| User::with_office(conn, id)?.ok_or(AppError::NotFound))
                .await?;
            let form = UserForm::of(&user, office.code);
            form_page(
                &req,
                &staff,
                &state,
                Some(user),
                form,
                FieldErrors::new(),
                errors,
            )
            .await
        }
        Err(ActionError::Failed(e)) => Err(e),
    }
}
