//! `/admin/procedures/{id}/mau`: the printable forms (mẫu đơn, tờ khai)
//! attached to a procedure, offered to citizens in the public catalog.

use actix_multipart::Multipart;
use actix_session::Session;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::auth::csrf::CsrfForm;
use crate::auth::session::push_flash;
use crate::auth::Staff;
use crate::db::procedures::{Procedure, ProcedureForm};
use crate::domain::fields::FieldErrors;
use crate::domain::procedure::FORM_MAX_BYTES;
use crate::domain::time::{format_datetime, now_utc};
use crate::error::{ActionError, AppError};
use crate::services::catalog;
use crate::state::AppState;
use crate::web::layout::Layout;
use crate::web::{form_status, html, see_other, upload};

pub struct FormRow {
    pub id: i64,
    pub title: String,
    pub file_name: String,
    pub size: String,
    pub added: String,
}

/// "123 KB", "1,2 MB".
pub fn human_size(bytes: i64) -> String {
    if bytes < 1024 * 1024 {
        format!("{} KB", (bytes + 1023) / 1024)
    } else {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0)).replace('.', ",")
    }
}

#[derive(Template)]
#[template(path = "admin/procedure_forms.html")]
struct FormsPage {
    page: Layout,
    procedure: Procedure,
    rows: Vec<FormRow>,
    title: String,
    errors: FieldErrors,
}

async fn render(
    req: &HttpRequest,
    staff: &Staff,
    state: &AppState,
    id: i64,
    title: String,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let (procedure, forms) = state
        .db
        .run(move |conn| Ok((Procedure::find(conn, id)?, ProcedureForm::of(conn, id)?)))
        .await?;
    html(
        form_status(&errors),
        &FormsPage {
            page: Layout::new(req, "Mẫu đơn, tờ khai của thủ tục", Some(&staff.user)),
            rows: forms
                .into_iter()
                .map(|f| FormRow {
                    id: f.id,
                    title: f.title,
                    file_name: f.file_name,
                    size: human_size(f.size),
                    added: format_datetime(f.created_at),
                })
                .collect(),
            procedure,
            title,
            errors,
        },
    )
}

pub async fn show(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    render(
        &req,
        &staff,
        &state,
        path.into_inner(),
        String::new(),
        FieldErrors::new(),
    )
    .await
}

pub async fn attach(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<i64>,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let mut parts = upload::read(&req, payload, FORM_MAX_BYTES + 64 * 1024, 4).await?;
    let title = parts
        .get("title")
        .map(upload::Part::text)
        .unwrap_or_default();
    let file = parts.remove("file").unwrap_or_default();
    let actor = crate::services::Actor::from(&staff.user);
    let t = title.clone();
    let result = state
        .db
        .run(move |conn| {
            Ok(catalog::attach_form(
                conn,
                &actor,
                id,
                &t,
                &file.file_name,
                &file.bytes,
                now_utc(),
            ))
        })
        .await?;
    match result {
        Ok(()) => {
            push_flash(
                &session,
                "success",
                &format!("Đã thêm mẫu “{}”.", title.trim()),
            );
            Ok(see_other(&format!("/admin/procedures/{id}/mau")))
        }
        Err(ActionError::Invalid(errors)) => render(&req, &staff, &state, id, title, errors).await,
        Err(ActionError::Failed(e)) => Err(e),
    }
}

#[derive(Deserialize)]
pub struct RemoveForm {}

pub async fn remove(
    staff: Staff,
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(i64, i64)>,
    CsrfForm(_f): CsrfForm<RemoveForm>,
) -> Result<HttpResponse, AppError> {
    let (id, form) = path.into_inner();
    let actor = crate::services::Actor::from(&staff.user);
    let removed = state
        .db
        .run(move |conn| catalog::remove_form(conn, &actor, id, form, now_utc()))
        .await?;
    if removed {
        push_flash(&session, "success", "Đã gỡ mẫu.");
    }
    Ok(see_other(&format!("/admin/procedures/{id}/mau")))
}
