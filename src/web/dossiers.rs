//! Dossier pages for staff: search, the dossier page, the confirmation after
//! reception, the receipt (Mẫu 01), correcting the applicant, voiding.

use actix_session::SessionExt;
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::api::dossiers::lookup_url;
use super::dossier_view::DossierView;
use super::layout::Layout;
use super::paging::Pager;
use super::print::{qr_svg, PrintHeader};
use super::{form_status, html, see_other};
use crate::auth::csrf::CsrfForm;
use crate::auth::extract::CurrentUser;
use crate::auth::session::push_flash;
use crate::auth::Staff;
use crate::db::dossiers::{DossierFilter, DossierRow};
use crate::domain::dossier::{is_overdue, Status};
use crate::domain::reception::ApplicantInput;
use crate::domain::role::{ApplicantEditors, DossierReaders, Leaders, Receivers};
use crate::domain::time::{format_date, format_datetime, now_utc, today};
use crate::domain::Role;
use crate::dossiers::{self, DossierDetail};
use crate::error::{urlencode, AppError};
use crate::reception::{self, Actor};
use crate::state::AppState;
use crate::validation::{ActionError, FieldErrors};

const PER_PAGE: i64 = 50;

/// A line of a dossier list.
pub struct RowView {
    pub code: String,
    pub applicant: String,
    pub procedure: String,
    pub status: &'static str,
    pub received_at: String,
    pub due_date: String,
    pub overdue: bool,
    pub voided: bool,
}

impl RowView {
    pub fn of(r: &DossierRow) -> RowView {
        let x = &r.dossier;
        let status = Status::parse(&x.status).unwrap_or(Status::Received);
        RowView {
            code: x.code.clone(),
            applicant: x.applicant_name.clone(),
            procedure: r.procedure_name.clone(),
            status: status.label(),
            received_at: format_datetime(x.received_at),
            due_date: x.due_date.map(format_date).unwrap_or_default(),
            overdue: !x.voided && is_overdue(status, x.due_date, today()),
            voided: x.voided,
        }
    }
}

pub struct StatusOption {
    pub value: &'static str,
    pub label: &'static str,
}

pub fn status_options() -> Vec<StatusOption> {
    Status::ALL
        .iter()
        .map(|s| StatusOption {
            value: s.as_str(),
            label: s.label(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "dossiers/list.html")]
struct ListPage {
    page: Layout,
    q: String,
    status: String,
    statuses: Vec<StatusOption>,
    rows: Vec<RowView>,
    pager: Pager,
}

#[derive(Deserialize)]
pub struct ListQuery {
    q: Option<String>,
    trang_thai: Option<String>,
    page: Option<i64>,
}

#[get("/ho-so")]
pub async fn list(
    req: HttpRequest,
    staff: Staff<DossierReaders>,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let q = query.q.clone().unwrap_or_default().trim().to_string();
    let status = query
        .trang_thai
        .clone()
        .filter(|s| Status::parse(s).is_some())
        .unwrap_or_default();
    // A complete code goes straight to its dossier.
    if crate::domain::applicant::DossierCode::parse(&q).is_ok() {
        let code = q.to_uppercase();
        let office = staff.user.office_id;
        let found = state
            .db
            .run(move |conn| {
                let visible = dossiers::visible_offices(conn, office)?;
                Ok(dossiers::load_by_code(conn, &code, &visible)?.is_some())
            })
            .await?;
        if found {
            return Ok(see_other(&format!(
                "/ho-so/{}",
                urlencode(&q.to_uppercase())
            )));
        }
    }
    let mut base = format!("/ho-so?q={}", urlencode(&q));
    if !status.is_empty() {
        base.push_str(&format!("&trang_thai={status}"));
    }
    let office = staff.user.office_id;
    let requested = query.page;
    let (q2, s2) = (q.clone(), status.clone());
    let (rows, pager) = state
        .db
        .run(move |conn| {
            let filter = DossierFilter {
                office_ids: dossiers::visible_offices(conn, office)?,
                q: Some(q2).filter(|q| !q.is_empty()),
                status: Some(s2).filter(|s| !s.is_empty()),
                include_voided: true,
                ..DossierFilter::default()
            };
            let (_, total) = dossiers::list(conn, &filter, 0, 0)?;
            let pager = Pager::new(requested, PER_PAGE, total, base);
            let (rows, _) = dossiers::list(conn, &filter, pager.offset(), PER_PAGE)?;
            Ok((rows.iter().map(RowView::of).collect(), pager))
        })
        .await?;
    html(
        StatusCode::OK,
        &ListPage {
            page: Layout::new(&req, "Tìm hồ sơ", Some(&staff.user)),
            q,
            status,
            statuses: status_options(),
            rows,
            pager,
        },
    )
}

async fn load(state: &AppState, office_id: i64, code: String) -> Result<DossierDetail, AppError> {
    state
        .db
        .run(move |conn| {
            let visible = dossiers::visible_offices(conn, office_id)?;
            dossiers::load_by_code(conn, &code, &visible)?.ok_or(AppError::NotFound)
        })
        .await
}

fn view(state: &AppState, d: &DossierDetail) -> DossierView {
    DossierView::of(
        d,
        lookup_url(&state.config.public_url, &d.dossier.lookup_token),
    )
}

#[derive(Template)]
#[template(path = "dossiers/show.html")]
struct ShowPage {
    page: Layout,
    d: DossierView,
    can_edit_applicant: bool,
    can_void: bool,
    void_errors: FieldErrors,
    void_reason: String,
}

async fn show_page(
    req: &HttpRequest,
    user: &CurrentUser,
    state: &AppState,
    code: String,
    void_errors: FieldErrors,
    void_reason: String,
) -> Result<HttpResponse, AppError> {
    let d = load(state, user.office_id, code).await?;
    let role = user.role;
    let voided = d.dossier.voided;
    let title = format!("Hồ sơ {}", d.dossier.code);
    html(
        form_status(&void_errors),
        &ShowPage {
            page: Layout::new(req, &title, Some(user)),
            d: view(state, &d),
            can_edit_applicant: !voided && matches!(role, Role::Reception | Role::Leader),
            can_void: !voided && role == Role::Leader,
            void_errors,
            void_reason,
        },
    )
}

#[get("/ho-so/{code}")]
pub async fn show(
    req: HttpRequest,
    staff: Staff<DossierReaders>,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    show_page(
        &req,
        &staff.user,
        &state,
        path.into_inner(),
        FieldErrors::new(),
        String::new(),
    )
    .await
}

#[derive(Template)]
#[template(path = "dossiers/done.html")]
struct DonePage {
    page: Layout,
    d: DossierView,
}

#[get("/ho-so/{code}/da-tiep-nhan")]
pub async fn done(
    req: HttpRequest,
    staff: Staff<Receivers>,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let d = load(&state, staff.user.office_id, path.into_inner()).await?;
    html(
        StatusCode::OK,
        &DonePage {
            page: Layout::new(&req, "Đã tiếp nhận hồ sơ", Some(&staff.user)),
            d: view(&state, &d),
        },
    )
}

#[derive(Template)]
#[template(path = "print/receipt.html")]
struct ReceiptPage {
    title: String,
    back: String,
    header: PrintHeader,
    d: DossierView,
    qr: String,
    copies: Vec<&'static str>,
}

#[get("/ho-so/{code}/bien-nhan")]
pub async fn receipt(
    staff: Staff<DossierReaders>,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let d = load(&state, staff.user.office_id, path.into_inner()).await?;
    let v = view(&state, &d);
    let received_on = crate::reception::local_day(d.dossier.received_at);
    html(
        StatusCode::OK,
        &ReceiptPage {
            title: format!("Giấy tiếp nhận hồ sơ {}", v.code),
            back: format!("/ho-so/{}", urlencode(&v.code)),
            header: PrintHeader::new(
                &d.office,
                d.parent_office.as_ref(),
                &state.config.place,
                received_on,
            ),
            qr: qr_svg(&v.lookup_url),
            d: v,
            copies: vec![
                "Liên 1: Lưu tại Bộ phận tiếp nhận và trả kết quả",
                "Liên 2: Giao người nộp hồ sơ",
            ],
        },
    )
}

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

#[get("/ho-so/{code}/nguoi-nop")]
pub async fn applicant_form(
    req: HttpRequest,
    staff: Staff<ApplicantEditors>,
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
            },
            errors: FieldErrors::new(),
        },
    )
}

#[post("/ho-so/{code}/nguoi-nop")]
pub async fn applicant_submit(
    req: HttpRequest,
    staff: Staff<ApplicantEditors>,
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
    let result = state
        .db
        .run(move |conn| {
            Ok(reception::correct_applicant(
                conn,
                &actor,
                id,
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
}

#[post("/ho-so/{code}/huy")]
pub async fn void(
    req: HttpRequest,
    staff: Staff<Leaders>,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: CsrfForm<VoidForm>,
) -> Result<HttpResponse, AppError> {
    let code = path.into_inner();
    let d = load(&state, staff.user.office_id, code.clone()).await?;
    let actor = Actor::from(&staff.user);
    let reason = form.0.reason;
    let r2 = reason.clone();
    let id = d.dossier.id;
    let result = state
        .db
        .run(move |conn| Ok(reception::void(conn, &actor, id, &r2, now_utc())))
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
            show_page(&req, &staff.user, &state, code, errors, reason).await
        }
    }
}
