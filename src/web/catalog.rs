//! The public catalog of procedures (the office's duty to publish them): no login.

use actix_web::http::StatusCode;
use actix_web::{get, web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::html;
use super::layout::Layout;
use crate::auth::extract::session_user;
use crate::db::procedures::{Procedure, ProcedureFull};
use crate::domain::procedure::{
    describe_time, fold, split_codes, Channel, DocumentForm, ReturnMethod,
};
use crate::domain::time::today;
use crate::error::AppError;
use crate::state::AppState;

/// A procedure as the public pages show it.
pub struct ProcedureView {
    pub code: String,
    pub name: String,
    pub field: String,
    pub time: String,
    pub fee: String,
    pub result: String,
    pub source: String,
    pub channels: Vec<&'static str>,
    pub return_methods: Vec<&'static str>,
    pub documents: Vec<DocumentView>,
}

pub struct DocumentView {
    pub name: String,
    pub form: &'static str,
    pub count: i32,
    pub required: bool,
}

impl ProcedureView {
    pub fn of(p: &ProcedureFull) -> ProcedureView {
        ProcedureView {
            code: p.procedure.code.clone(),
            name: p.procedure.name.clone(),
            field: p.procedure.field.clone(),
            time: p
                .working_days_on(today())
                .map(describe_time)
                .unwrap_or_else(|| "Chưa quy định".into()),
            fee: p.procedure.fee.clone(),
            result: p.procedure.result.clone(),
            source: p.procedure.source.clone(),
            channels: split_codes(&p.procedure.channels)
                .into_iter()
                .filter_map(Channel::parse)
                .map(Channel::label)
                .collect(),
            return_methods: split_codes(&p.procedure.return_methods)
                .into_iter()
                .filter_map(ReturnMethod::parse)
                .map(ReturnMethod::label)
                .collect(),
            documents: p
                .documents
                .iter()
                .map(|d| DocumentView {
                    name: d.name.clone(),
                    form: DocumentForm::parse(&d.form)
                        .map(DocumentForm::label)
                        .unwrap_or(""),
                    count: d.count,
                    required: d.required,
                })
                .collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "public/procedures.html")]
struct ListPage {
    page: Layout,
    q: String,
    items: Vec<ProcedureView>,
    total: usize,
}

#[derive(Deserialize)]
pub struct ListQuery {
    q: Option<String>,
}

#[get("/thu-tuc")]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let q = query.q.clone().unwrap_or_default().trim().to_string();
    let all = state.db.run(|conn| Procedure::all_full(conn, true)).await?;
    let total = all.len();
    let needle = fold(&q);
    let items = all
        .iter()
        .filter(|p| {
            needle.is_empty()
                || fold(&p.procedure.name).contains(&needle)
                || fold(&p.procedure.code).contains(&needle)
                || fold(&p.procedure.field).contains(&needle)
        })
        .map(ProcedureView::of)
        .collect();
    let user = session_user(&req).await.ok().flatten();
    html(
        StatusCode::OK,
        &ListPage {
            page: Layout::new(&req, "Thủ tục hành chính", user.as_ref()),
            q,
            items,
            total,
        },
    )
}

#[derive(Template)]
#[template(path = "public/procedure.html")]
struct DetailPage {
    page: Layout,
    p: ProcedureView,
}

#[get("/thu-tuc/{code}")]
pub async fn detail(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let code = path.into_inner();
    let full = state
        .db
        .run(move |conn| match Procedure::find_by_code(conn, &code)? {
            Some(p) if p.active => Ok(Procedure::full(conn, p)?),
            _ => Err(AppError::NotFound),
        })
        .await?;
    let user = session_user(&req).await.ok().flatten();
    let p = ProcedureView::of(&full);
    html(
        StatusCode::OK,
        &DetailPage {
            page: Layout::new(&req, &p.name.clone(), user.as_ref()),
            p,
        },
    )
}
