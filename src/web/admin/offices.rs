//! Managing the office tree.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::auth::csrf::CsrfForm;
use crate::auth::session::push_flash;
use crate::auth::Staff;
use crate::db::offices::Office;
use crate::domain::fields::FieldErrors;
use crate::domain::time::now_utc;
use crate::error::ActionError;
use crate::error::AppError;
use crate::services::administration;
use crate::state::AppState;
use crate::web::layout::Layout;
use crate::web::{form_status, html, see_other};

/// An office placed in the tree, with its depth for indentation.
pub struct TreeRow {
    pub office: Office,
    pub depth: usize,
    pub parent_code: String,
}

/// Orders offices parent first, children below in code order.
fn tree(offices: Vec<Office>) -> Vec<TreeRow> {
    fn walk(all: &[Office], parent: Option<i64>, depth: usize, out: &mut Vec<TreeRow>) {
        for o in all.iter().filter(|o| o.parent_id == parent) {
            let parent_code = parent
                .and_then(|p| all.iter().find(|x| x.id == p))
                .map(|p| p.code.clone())
                .unwrap_or_default();
            out.push(TreeRow {
                office: o.clone(),
                depth,
                parent_code,
            });
            if depth < 20 {
                walk(all, Some(o.id), depth + 1, out);
            }
        }
    }
    let mut out = Vec::with_capacity(offices.len());
    walk(&offices, None, 0, &mut out);
    out
}

#[derive(Template)]
#[template(path = "admin/offices.html")]
struct OfficesPage {
    page: Layout,
    rows: Vec<TreeRow>,
}

pub async fn list(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let offices = state.db.run(Office::all).await?;
    html(
        StatusCode::OK,
        &OfficesPage {
            page: Layout::new(&req, "Đơn vị", Some(&staff.user)),
            rows: tree(offices),
        },
    )
}

#[derive(Deserialize, Default)]
pub struct OfficeForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    parent: String,
    active: Option<String>,
    #[serde(default)]
    address: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    hours: String,
    #[serde(default)]
    place: String,
}

#[derive(Template)]
#[template(path = "admin/office_form.html")]
struct OfficeFormPage {
    page: Layout,
    office: Option<Office>,
    form: OfficeForm,
    parents: Vec<TreeRow>,
    errors: FieldErrors,
}

async fn form_page(
    req: &HttpRequest,
    staff: &Staff,
    state: &AppState,
    office: Option<Office>,
    form: OfficeForm,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let all = state.db.run(Office::all).await?;
    let title = if office.is_some() {
        "Sửa đơn vị"
    } else {
        "Thêm đơn vị"
    };
    let own_id = office.as_ref().map(|o| o.id);
    let parents = tree(all)
        .into_iter()
        .filter(|r| Some(r.office.id) != own_id)
        .collect();
    html(
        form_status(&errors),
        &OfficeFormPage {
            page: Layout::new(req, title, Some(&staff.user)),
            office,
            form,
            parents,
            errors,
        },
    )
}

pub async fn new_form(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let form = OfficeForm {
        active: Some("on".into()),
        ..OfficeForm::default()
    };
    form_page(&req, &staff, &state, None, form, FieldErrors::new()).await
}

pub async fn create(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
    session: Session,
    CsrfForm(form): CsrfForm<OfficeForm>,
) -> Result<HttpResponse, AppError> {
    let actor = crate::services::Actor::from(&staff.user);
    let (code, name, parent) = (form.code.clone(), form.name.clone(), form.parent.clone());
    let result = state
        .db
        .run(move |conn| {
            Ok(administration::create_office(
                conn,
                &actor,
                &code,
                &name,
                Some(&parent),
                now_utc(),
            ))
        })
        .await?;
    match result {
        Ok(office) => {
            push_flash(
                &session,
                "success",
                &format!("Đã thêm đơn vị {}.", office.name),
            );
            Ok(see_other("/admin/offices"))
        }
        Err(ActionError::Invalid(errors)) => {
            form_page(&req, &staff, &state, None, form, errors).await
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
    let (office, parent) = state
        .db
        .run(move |conn| {
            let office = Office::find(conn, id)?;
            let parent = match office.parent_id {
                Some(p) => Some(Office::find(conn, p)?),
                None => None,
            };
            Ok((office, parent))
        })
        .await?;
    let form = OfficeForm {
        code: office.code.clone(),
        name: office.name.clone(),
        parent: parent.map(|p| p.code).unwrap_or_default(),
        active: office.active.then(|| "on".into()),
        address: office.address.clone(),
        phone: office.phone.clone(),
        email: office.email.clone(),
        hours: office.hours.clone(),
        place: office.place.clone(),
    };
    form_page(&req, &staff, &state, Some(office), form, FieldErrors::new()).await
}

pub async fn update(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<i64>,
    CsrfForm(form): CsrfForm<OfficeForm>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let office = state.db.run(move |conn| Office::find(conn, id)).await?;
    let actor = crate::services::Actor::from(&staff.user);
    let (name, parent, active) = (
        form.name.clone(),
        form.parent.clone(),
        form.active.is_some(),
    );
    let (address, phone, email, hours, place) = (
        form.address.clone(),
        form.phone.clone(),
        form.email.clone(),
        form.hours.clone(),
        form.place.clone(),
    );
    let result = state
        .db
        .run(move |conn| {
            Ok(administration::update_office(
                conn,
                &actor,
                id,
                &name,
                Some(&parent),
                active,
                [&address, &phone, &email, &hours, &place],
                now_utc(),
            ))
        })
        .await?;
    match result {
        Ok(()) => {
            state.forget_front_door();
            push_flash(
                &session,
                "success",
                &format!("Đã lưu đơn vị {}.", office.code),
            );
            Ok(see_other("/admin/offices"))
        }
        Err(ActionError::Invalid(errors)) => {
            let form = OfficeForm {
                code: office.code.clone(),
                ..form
            };
            form_page(&req, &staff, &state, Some(office), form, errors).await
        }
        Err(ActionError::Failed(e)) => Err(e),
    }
}
