//! Correcting the applicant (with a reason) and voiding a dossier entered by mistake.

use actix_session::SessionExt;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::auth::csrf::CsrfForm;
use crate::auth::session::push_flash;
use crate::auth::Staff;
use crate::domain::fields::FieldErrors;
use crate::domain::reception::ApplicantInput;
use crate::domain::time::now_utc;
use crate::error::ActionError;
use crate::error::{urlencode, AppError};
use crate::services::reception;
use crate::services::Actor;
use crate::state::AppState;
use crate::web::layout::Layout;
use crate::web::{form_status, html, see_other};

use super::page::{show_page, ActionState};
use crate::web::dossier_view::load;

/// The applicant form as typed.
#[derive(Deserialize, Default)]
pub struct ApplicantForm {
    #[serde(default)]
    applicant_kind: String,
    #[serde(default)]
    full_name: String,
    #[serde(default)]
    representative: String,
    #[serde(default)]
    id_number: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    version: String,
}

#[derive(Template)]
#[template(path = "dossiers/applicant_form.html")]
struct ApplicantPage {
    page: Layout,
    code: String,
    form: ApplicantForm,
    errors: FieldErrors,
}

impl ApplicantPage {
    fn is_org(&self) -> bool {
        self.form.applicant_kind == "organisation"
    }
}

pub async fn applicant_form(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let d = load(&state, staff.user.office_id, path.into_inner()).await?;
    if d.dossier.voided {
        return Err(AppError::Conflict(
            "Hồ sơ đã bị hủy, không sửa được.".into(),
        ));
    }
    let x = d.dossier;
    html(
        StatusCode::OK,
        &ApplicantPage {
            page: Layout::new(&req, "Sửa thông tin người nộp", Some(&staff.user)),
            code: x.code,
            form: ApplicantForm {
                applicant_kind: x.applicant_kind,
                full_name: x.applicant_name,
                representative: x.representative.unwrap_or_default(),
                id_number: x.id_number.unwrap_or_default(),
                phone: x.phone,
                email: x.email.unwrap_or_default(),
                address: x.address,
                reason: String::new(),
                version: x.version.to_string(),
            },
            errors: FieldErrors::new(),
        },
    )
}

pub async fn applicant_submit(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: CsrfForm<ApplicantForm>,
) -> Result<HttpResponse, AppError> {
    let d = load(&state, staff.user.office_id, path.into_inner()).await?;
    let form = form.0;
    let input = ApplicantInput {
        kind: form.applicant_kind.clone(),
        full_name: form.full_name.clone(),
        representative: form.representative.clone(),
        id_number: form.id_number.clone(),
        phone: form.phone.clone(),
        email: form.email.clone(),
        address: form.address.clone(),
    };
    let actor = Actor::from(&staff.user);
    let reason = form.reason.clone();
    let id = d.dossier.id;
    let code = d.dossier.code.clone();
    let version = form.version.trim().parse().ok();
    let result = state
        .db
        .run(move |conn| {
            Ok(reception::correct_applicant(
                conn,
                &actor,
                id,
                version,
                &input,
                &reason,
                now_utc(),
            ))
        })
        .await?;
    match result {
        Ok(_) => {
            push_flash(
                &req.get_session(),
                "success",
                "Đã sửa thông tin người nộp; thay đổi được ghi vào lịch sử hồ sơ.",
            );
            Ok(see_other(&format!("/ho-so/{}", urlencode(&code))))
        }
        Err(ActionError::Failed(e)) => Err(e),
        Err(ActionError::Invalid(errors)) => html(
            form_status(&errors),
            &ApplicantPage {
                page: Layout::new(&req, "Sửa thông tin người nộp", Some(&staff.user)),
                code,
                form,
                errors,
            },
        ),
    }
}

#[derive(Deserialize)]
pub struct VoidForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    version: String,
}

pub async fn void(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: CsrfForm<VoidForm>,
) -> Result<HttpResponse, AppError> {
    let code = path.into_inner();
    let d = load(&state, staff.user.office_id, code.clone()).await?;
    let actor = Actor::from(&staff.user);
    let version = form.0.version.trim().parse().ok();
    let reason = form.0.reason;
    let r2 = reason.clone();
    let id = d.dossier.id;
    let result = state
        .db
        .run(move |conn| Ok(reception::void(conn, &actor, id, version, &r2, now_utc())))
        .await?;
    match result {
        Ok(_) => {
            push_flash(
                &req.get_session(),
                "success",
                "Đã hủy hồ sơ nhập nhầm. Mã hồ sơ vẫn được giữ, không cấp lại.",
            );
            Ok(see_other(&format!("/ho-so/{}", urlencode(&code))))
        }
        Err(ActionError::Failed(e)) => Err(e),
        Err(ActionError::Invalid(errors)) => {
            show_page(
                &req,
                &staff.user,
                &state,
                code,
                errors,
                reason,
                ActionState::default(),
            )
            .await
        }
    }
}
