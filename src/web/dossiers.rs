//! Dossier pages for staff: search, the dossier page, the confirmation after
//! reception, the receipt (Mẫu 01), correcting the applicant, voiding.

use std::collections::HashMap;

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
use crate::db::supplements::Supplement;
use crate::db::users::User;
use crate::domain::dossier::{is_overdue, Status};
use crate::domain::fields::FieldErrors;
use crate::domain::reception::ApplicantInput;
use crate::domain::role::{ApplicantEditors, DossierReaders, Leaders, Receivers};
use crate::domain::time::{format_date, format_datetime, now_utc, today};
use crate::domain::workflow::{self, Action};
use crate::domain::Role;
use crate::error::ActionError;
use crate::error::{urlencode, AppError};
use crate::services::dossiers::{self, DossierDetail};
use crate::services::reception;
use crate::services::reception::DocumentInput;
use crate::services::Actor;
use crate::state::AppState;

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

/// The list by status (`?trang_thai=`). A search by name, ID number or phone
/// is posted (`search`), so that personal data never travels in a URL.
#[get("/ho-so")]
pub async fn list(
    req: HttpRequest,
    staff: Staff<DossierReaders>,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    search_page(&req, &staff, &state, query).await
}

/// A search from the header box or the search page.
#[post("/ho-so")]
pub async fn search(
    req: HttpRequest,
    staff: Staff<DossierReaders>,
    state: web::Data<AppState>,
    CsrfForm(form): CsrfForm<ListQuery>,
) -> Result<HttpResponse, AppError> {
    search_page(&req, &staff, &state, form).await
}

async fn search_page(
    req: &HttpRequest,
    staff: &Staff<DossierReaders>,
    state: &AppState,
    query: ListQuery,
) -> Result<HttpResponse, AppError> {
    let q: String = query
        .q
        .clone()
        .unwrap_or_default()
        .trim()
        .chars()
        .take(200)
        .collect();
    let status = query
        .trang_thai
        .clone()
        .filter(|s| Status::parse(s).is_some())
        .unwrap_or_default();
    // A scanned QR link, or a complete code, goes straight to its dossier.
    if super::returns::token_in(&q).is_some() {
        let office = staff.user.office_id;
        let q2 = q.clone();
        let found = state
            .db
            .run(move |conn| {
                let visible = dossiers::visible_offices(conn, office)?;
                super::returns::find_entry(conn, &q2, &visible)
            })
            .await?;
        if let Some(code) = found {
            return Ok(see_other(&format!("/ho-so/{}", urlencode(&code))));
        }
    }
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
    // Page links carry the status only; a search pages by posting its words.
    let base = format!("/ho-so?trang_thai={status}");
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
            page: Layout::new(req, "Tìm hồ sơ", Some(&staff.user)),
            q,
            status,
            statuses: status_options(),
            rows,
            pager,
        },
    )
}

pub(super) async fn load(
    state: &AppState,
    office_id: i64,
    code: String,
) -> Result<DossierDetail, AppError> {
    state
        .db
        .run(move |conn| {
            let visible = dossiers::visible_offices(conn, office_id)?;
            dossiers::load_by_code(conn, &code, &visible)?.ok_or(AppError::NotFound)
        })
        .await
}

pub(super) fn view(state: &AppState, d: &DossierDetail) -> DossierView {
    DossierView::of(
        d,
        lookup_url(&state.config.public_url, &d.dossier.lookup_token),
    )
}

/// An action the user may take now, as a form on the dossier page.
pub struct ActionPanel {
    pub action: &'static str,
    pub label: &'static str,
    pub open: bool,
}

pub struct OfficerOption {
    pub username: String,
    pub name: String,
}

pub struct SupplementLink {
    pub number: i32,
    pub requested_at: String,
    pub late: bool,
}

/// What the action forms show when one came back with errors.
#[derive(Default)]
pub struct ActionState {
    pub failed: String,
    pub errors: FieldErrors,
    pub typed: HashMap<String, String>,
}

#[derive(Template)]
#[template(path = "dossiers/show.html")]
struct ShowPage {
    page: Layout,
    d: DossierView,
    version: i32,
    can_edit_applicant: bool,
    can_void: bool,
    void_errors: FieldErrors,
    void_reason: String,
    actions: Vec<ActionPanel>,
    officers: Vec<OfficerOption>,
    forms: Vec<super::reception::FormOption>,
    supplements: Vec<SupplementLink>,
    extended: bool,
    withdrawn: bool,
    action_state: ActionState,
    /// The citizen's rating, once given: (level, comment).
    rating: Option<(&'static str, String)>,
    can_rate: bool,
    returned_at_counter: bool,
    levels: Vec<(&'static str, &'static str)>,
}

impl ShowPage {
    fn typed(&self, name: &str) -> &str {
        self.action_state
            .typed
            .get(name)
            .map(String::as_str)
            .unwrap_or("")
    }
    fn err(&self, name: &str) -> Option<&str> {
        self.action_state.errors.get(name)
    }
}

async fn show_page(
    req: &HttpRequest,
    user: &CurrentUser,
    state: &AppState,
    code: String,
    void_errors: FieldErrors,
    void_reason: String,
    action_state: ActionState,
) -> Result<HttpResponse, AppError> {
    let d = load(state, user.office_id, code).await?;
    let role = user.role;
    let voided = d.dossier.voided;
    let status = d.status();
    let is_assignee = d.dossier.assignee_id == Some(user.id);
    let available = if voided {
        Vec::new()
    } else {
        workflow::available(status, role, is_assignee)
    };
    let (dossier_office, dossier_id) = (d.dossier.office_id, d.dossier.id);
    let needs_officers = available.contains(&Action::Assign);
    let (officers, supplements, rating) = state
        .db
        .run(move |conn| {
            let rating = crate::db::ratings::Rating::of_dossier(conn, dossier_id)?
                .map(|r| (crate::services::returns::level_label(&r.level), r.comment));
            let officers = if needs_officers {
                // Officers of the dossier's office and the offices above it.
                let all = crate::db::offices::Office::all(conn)?;
                let ids: Vec<i64> = all
                    .iter()
                    .filter(|o| {
                        crate::db::offices::Office::subtree_ids(conn, o.id)
                            .map(|s| s.contains(&dossier_office))
                            .unwrap_or(false)
                    })
                    .map(|o| o.id)
                    .collect();
                User::active_with_role_in(conn, "officer", &ids)?
                    .into_iter()
                    .map(|u| OfficerOption {
                        username: u.username,
                        name: u.full_name,
                    })
                    .collect()
            } else {
                Vec::new()
            };
            let supplements = Supplement::of_dossier(conn, dossier_id)?
                .into_iter()
                .map(|(s, _)| SupplementLink {
                    number: s.number,
                    requested_at: format_datetime(s.requested_at),
                    late: s.late,
                })
                .collect();
            Ok((officers, supplements, rating))
        })
        .await?;
    let delivered = status == Status::Delivered;
    let title = format!("Hồ sơ {}", d.dossier.code);
    let http_status = if !action_state.errors.is_empty() {
        form_status(&action_state.errors)
    } else {
        form_status(&void_errors)
    };
    html(
        http_status,
        &ShowPage {
            page: Layout::new(req, &title, Some(user)),
            version: d.dossier.version,
            extended: d.dossier.extended,
            withdrawn: status == Status::Withdrawn,
            d: view(state, &d),
            can_edit_applicant: !voided && matches!(role, Role::Reception | Role::Leader),
            can_void: !voided && role == Role::Leader,
            void_errors,
            void_reason,
            actions: available
                .into_iter()
                .map(|a| ActionPanel {
                    action: a.as_str(),
                    label: a.label(),
                    open: action_state.failed == a.as_str(),
                })
                .collect(),
            officers,
            forms: super::reception::form_options(),
            supplements,
            action_state,
            can_rate: delivered && rating.is_none() && role == Role::Reception,
            rating,
            returned_at_counter: d.dossier.recipient_name.is_some()
                && d.dossier.delivered_at.is_some(),
            levels: crate::services::returns::LEVELS.to_vec(),
        },
    )
}

/// Page field names of the action forms for the use case's field names.
fn form_field(f: &str) -> String {
    match f {
        "result.number" => "result_number".into(),
        "result.date" => "result_date".into(),
        "result.signer" => "result_signer".into(),
        "result.summary" => "result_summary".into(),
        "missing" => "missing_0_name".into(),
        f => match f.strip_prefix("missing.") {
            Some(i) => format!("missing_{i}_name"),
            None => f.to_string(),
        },
    }
}

fn form_date(raw: &str, field: &str, errors: &mut FieldErrors) -> Option<chrono::NaiveDate> {
    let s = raw.trim();
    if s.is_empty() {
        return None;
    }
    let parsed = crate::services::catalog::parse_date(s);
    if parsed.is_none() {
        errors.add(field, "Ghi ngày dạng ngày/tháng/năm, ví dụ 25/11/2026.");
    }
    parsed
}

#[post("/ho-so/{code}/thao-tac")]
pub async fn take_action(
    req: HttpRequest,
    staff: Staff<DossierReaders>,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    use crate::services::processing::{ActError, ActionInput};
    let code = path.into_inner();
    let typed: HashMap<String, String> = form.0.into_iter().collect();
    let get = |k: &str| typed.get(k).cloned().unwrap_or_default();
    let mut errors = FieldErrors::new();
    let result_date = form_date(&get("result_date"), "result_date", &mut errors);
    let new_due_date = form_date(&get("new_due_date"), "new_due_date", &mut errors);
    let action_name = get("action");
    let delivered_at = {
        let raw = get("delivered_at");
        let raw = raw.trim();
        if raw.is_empty() {
            None
        } else {
            let parsed = ["%d/%m/%Y %H:%M", "%d/%m/%Y"]
                .iter()
                .find_map(|f| {
                    chrono::NaiveDateTime::parse_from_str(raw, f)
                        .ok()
                        .or_else(|| {
                            chrono::NaiveDate::parse_from_str(raw, f)
                                .ok()
                                .and_then(|d| d.and_hms_opt(12, 0, 0))
                        })
                })
                .filter(|t| crate::domain::time::SANE_YEARS.contains(&chrono::Datelike::year(t)))
                .map(|t| t - chrono::Duration::hours(7));
            if parsed.is_none() {
                errors.add(
                    "at",
                    "Ghi thời điểm dạng ngày/tháng/năm giờ:phút, ví dụ 26/11/2026 10:15.",
                );
            }
            parsed
        }
    };
    let postage = errors
        .check(
            "postage",
            crate::domain::reception::parse_amount(&get("postage")),
        )
        .flatten();
    let back = format!("/ho-so/{}", urlencode(&code));
    if !errors.is_empty() {
        let failed = ActionState {
            failed: action_name,
            errors,
            typed,
        };
        return show_page(
            &req,
            &staff.user,
            &state,
            code,
            FieldErrors::new(),
            String::new(),
            failed,
        )
        .await;
    }
    let input = ActionInput {
        action: action_name.clone(),
        version: get("version").trim().parse().ok(),
        officer: get("officer"),
        missing: (0..3)
            .map(|i| DocumentInput {
                name: get(&format!("missing_{i}_name")),
                form: get(&format!("missing_{i}_form")),
                count: String::new(),
            })
            .collect(),
        note: get("note"),
        result_number: get("result_number"),
        result_date,
        result_signer: get("result_signer"),
        result_summary: get("result_summary"),
        reason: get("reason"),
        new_due_date,
        tracking_number: get("tracking_number"),
        recipient_name: get("recipient_name"),
        recipient_id_number: get("recipient_id_number"),
        at: delivered_at,
        authorisation: get("authorisation"),
        postage,
        shipment_id: None,
    };
    let d = load(&state, staff.user.office_id, code.clone()).await?;
    let cal = state.calendar().await?;
    let actor = Actor::from(&staff.user);
    let id = d.dossier.id;
    let result = state
        .db
        .run(move |conn| {
            Ok(crate::services::processing::act(
                conn,
                &cal,
                &actor,
                id,
                &input,
                now_utc(),
            ))
        })
        .await?;
    let label = Action::parse(&action_name).map(Action::label).unwrap_or("");
    match result {
        Ok(_) => {
            push_flash(
                &req.get_session(),
                "success",
                &format!("Đã thực hiện: {label}."),
            );
            Ok(see_other(&back))
        }
        Err(ActError::Stale(m)) | Err(ActError::WrongState(m)) => {
            push_flash(&req.get_session(), "error", &m);
            Ok(see_other(&back))
        }
        Err(ActError::Forbidden(_)) => Err(AppError::Forbidden),
        Err(ActError::Failed(e)) => Err(e),
        Err(ActError::Invalid(e)) => {
            let mut errors = FieldErrors::new();
            for (f, m) in e.iter() {
                errors.add(&form_field(f), m);
            }
            let failed = ActionState {
                failed: action_name,
                errors,
                typed,
            };
            show_page(
                &req,
                &staff.user,
                &state,
                code,
                FieldErrors::new(),
                String::new(),
                failed,
            )
            .await
        }
    }
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
        ActionState::default(),
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
    let received_on = crate::services::reception::local_day(d.dossier.received_at);
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
                version: x.version.to_string(),
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
