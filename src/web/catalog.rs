//! The public catalog of procedures (the office's duty to publish them): no login.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::html;
use super::layout::Layout;
use crate::auth::extract::session_user;
use crate::db::procedures::{Procedure, ProcedureForm, ProcedureFull};
use crate::domain::procedure::{
    describe_time, fold, split_codes, Channel, DocumentForm, ReturnMethod,
};
use crate::domain::time::today;
use crate::error::AppError;
use crate::services::citizens::FrontDoor;
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
    pub submit_ways: Vec<WayView>,
    pub return_ways: Vec<WayView>,
    pub forms: Vec<FormLink>,
    /// Accepts the online channel (and is active): the online form's link shows.
    pub online: bool,
}

/// A printable form the administrator attached to the procedure.
pub struct FormLink {
    pub href: String,
    pub title: String,
    pub size: String,
}

/// A way to submit or to receive, and how to use it.
pub struct WayView {
    pub label: &'static str,
    pub how: String,
}

/// Plain words on how each channel works, with the office's address and hours.
fn submit_how(c: Channel, front: &FrontDoor) -> String {
    let at = place(front);
    match c {
        Channel::Counter => format!(
            "Mang hồ sơ đến Bộ phận tiếp nhận và trả kết quả{at}. Cán bộ kiểm tra thành phần hồ sơ và trao giấy tiếp nhận có mã hồ sơ, ngày hẹn trả."
        ),
        Channel::Postal => format!(
            "Gửi hồ sơ qua dịch vụ bưu chính công ích (tại bưu cục gần nhất hoặc gọi bưu tá đến nhận) về Bộ phận tiếp nhận và trả kết quả{at}. Thời hạn giải quyết tính từ ngày bộ phận nhận đủ hồ sơ; giấy tiếp nhận được gửi lại qua bưu chính."
        ),
        Channel::Online => "Nộp trực tuyến ngay trên trang này (nút “Nộp hồ sơ trực tuyến”, không cần tài khoản) hoặc trên Cổng Dịch vụ công quốc gia, kèm bản quét các giấy tờ (PDF, JPEG hoặc PNG); kết quả kiểm tra hồ sơ được báo qua thư điện tử hoặc tin nhắn.".to_string(),
    }
}

fn return_how(r: ReturnMethod, front: &FrontDoor) -> String {
    let at = place(front);
    match r {
        ReturnMethod::Counter => format!(
            "Nhận tại Bộ phận tiếp nhận và trả kết quả{at} từ ngày hẹn, mang theo giấy tiếp nhận và giấy tờ tùy thân (người nhận thay cần giấy ủy quyền)."
        ),
        ReturnMethod::Postal => "Kết quả được gửi qua dịch vụ bưu chính công ích đến địa chỉ đã đăng ký khi nộp hồ sơ; cước phí theo quy định.".to_string(),
    }
}

fn place(front: &FrontDoor) -> String {
    let mut at = String::new();
    if !front.contacts.address.is_empty() {
        at.push_str(&format!(", {}", front.contacts.address));
    }
    if !front.contacts.hours.is_empty() {
        at.push_str(&format!(" (giờ làm việc: {})", front.contacts.hours));
    }
    at
}

pub struct DocumentView {
    pub name: String,
    pub form: &'static str,
    pub count: i32,
    pub required: bool,
}

impl ProcedureView {
    pub fn of(p: &ProcedureFull) -> ProcedureView {
        Self::with_front(p, &FrontDoor::default())
    }

    /// The procedure with how to use each channel at the front door's office.
    pub fn with_front(p: &ProcedureFull, front: &FrontDoor) -> ProcedureView {
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
            submit_ways: split_codes(&p.procedure.channels)
                .into_iter()
                .filter_map(Channel::parse)
                .map(|c| WayView {
                    label: c.label(),
                    how: submit_how(c, front),
                })
                .collect(),
            return_ways: split_codes(&p.procedure.return_methods)
                .into_iter()
                .filter_map(ReturnMethod::parse)
                .map(|r| WayView {
                    label: r.label(),
                    how: return_how(r, front),
                })
                .collect(),
            forms: Vec::new(),
            online: p.procedure.active
                && split_codes(&p.procedure.channels)
                    .into_iter()
                    .any(|c| Channel::parse(c) == Some(Channel::Online)),
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
    let front = state.front_door().await?;
    html(
        StatusCode::OK,
        &ListPage {
            page: Layout::public(&req, "Thủ tục hành chính", user.as_ref(), front),
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

pub async fn detail(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let code = path.into_inner();
    let (full, forms) = state
        .db
        .run(move |conn| match Procedure::find_by_code(conn, &code)? {
            Some(p) if p.active => {
                let forms = ProcedureForm::of(conn, p.id)?;
                Ok((Procedure::full(conn, p)?, forms))
            }
            _ => Err(AppError::NotFound),
        })
        .await?;
    let user = session_user(&req).await.ok().flatten();
    let front = state.front_door().await?;
    let mut p = ProcedureView::with_front(&full, &front);
    p.forms = forms
        .into_iter()
        .map(|f| FormLink {
            href: format!("/thu-tuc/{}/mau/{}", p.code, f.id),
            title: f.title,
            size: super::admin::procedure_forms::human_size(f.size),
        })
        .collect();
    html(
        StatusCode::OK,
        &DetailPage {
            page: Layout::public(&req, &p.name.clone(), user.as_ref(), front),
            p,
        },
    )
}

/// A printable form of a procedure, for citizens to download.
pub async fn form_file(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let (code, id) = path.into_inner();
    let (form, bytes) = state
        .db
        .run(move |conn| {
            let p = Procedure::find_by_code(conn, &code)?
                .filter(|p| p.active)
                .ok_or(AppError::NotFound)?;
            ProcedureForm::with_bytes(conn, p.id, id)?.ok_or(AppError::NotFound)
        })
        .await?;
    Ok(super::attachment(
        &form.content_type,
        &form.file_name,
        bytes,
    ))
}
