//! The dossier page with the actions its user may take, the confirmation after reception, the receipt.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use crate::auth::extract::CurrentUser;
use crate::auth::Staff;
use crate::db::supplements::Supplement;
use crate::db::users::User;
use crate::domain::dossier::Status;
use crate::domain::fields::FieldErrors;
use crate::domain::workflow::{self, Action};
use crate::domain::Role;
use crate::error::{urlencode, AppError};
use crate::state::AppState;
use crate::web::dossier_view::DossierView;
use crate::web::layout::Layout;
use crate::web::print::{qr_svg, PrintHeader};
use crate::web::{form_status, html};

use crate::web::dossier_view::{load, view};

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
    forms: Vec<crate::web::options::FormOption>,
    supplements: Vec<SupplementLink>,
    extended: bool,
    withdrawn: bool,
    action_state: ActionState,
    /// The citizen's rating, once given: (level, comment).
    rating: Option<(&'static str, String)>,
    can_rate: bool,
    returned_at_counter: bool,
    levels: Vec<(&'static str, &'static str)>,
    /// Scans kept with the dossier.
    files: Vec<crate::web::online_desk::FileLine>,
    /// What the user may attach: (kind, label).
    attach_kinds: Vec<(&'static str, &'static str)>,
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

pub(super) async fn show_page(
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
            .into_iter()
            // Once-only rules beyond the transition table: one apology.
            .filter(|a| !(*a == Action::Extend && d.dossier.extended))
            .collect()
    };
    let (dossier_office, dossier_id) = (d.dossier.office_id, d.dossier.id);
    let needs_officers = available.contains(&Action::Assign);
    let (officers, supplements, rating, files) = state
        .db
        .run(move |conn| {
            let files = crate::db::files::of_dossier(conn, dossier_id)?;
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
                .map(|(s, _)| SupplementLink { number: s.number })
                .collect();
            Ok((officers, supplements, rating, files))
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
            forms: crate::web::options::form_options(),
            supplements,
            action_state,
            can_rate: delivered && rating.is_none() && role == Role::Reception,
            rating,
            returned_at_counter: d.dossier.recipient_name.is_some()
                && d.dossier.delivered_at.is_some(),
            levels: crate::services::returns::LEVELS.to_vec(),
            files: files
                .into_iter()
                .map(|f| crate::web::online_desk::FileLine {
                    name: f.name,
                    href: format!("/tep/{}", f.file.token),
                    size: crate::web::online_desk::size_label(f.file.size),
                    pages: f.file.pages.unwrap_or(1),
                    kind: crate::services::files::kind_label(&f.kind),
                    file_name: f.file.file_name,
                    round: 0,
                    added_at: crate::domain::time::format_datetime(f.added_at),
                })
                .collect(),
            attach_kinds: if voided {
                Vec::new()
            } else {
                crate::services::files::kinds_for(role)
                    .iter()
                    .map(|k| (*k, crate::services::files::kind_label(k)))
                    .collect()
            },
        },
    )
}

pub async fn show(
    req: HttpRequest,
    staff: Staff,
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

pub async fn done(
    req: HttpRequest,
    staff: Staff,
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
    /// The lookup's short address ("motcua.example.vn/tra-cuu").
    lookup_address: String,
    copies: Vec<&'static str>,
}

pub async fn receipt(
    staff: Staff,
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
            lookup_address: short_lookup_address(&state.config.public_url),
            d: v,
            copies: vec![
                "Liên 1: Lưu tại Bộ phận tiếp nhận và trả kết quả",
                "Liên 2: Giao người nộp hồ sơ",
            ],
        },
    )
}

/// The lookup page's address as printed: without the scheme, short to type.
pub fn short_lookup_address(public_url: &str) -> String {
    let host = public_url
        .strip_prefix("https://")
        .or_else(|| public_url.strip_prefix("http://"))
        .unwrap_or(public_url);
    format!("{}/tra-cuu", host.trim_end_matches('/'))
}

#[cfg(test)]
mod lookup_address_tests {
    #[test]
    fn printed_address_drops_the_scheme() {
        assert_eq!(
            super::short_lookup_address("https://motcua.thads.gov.vn/"),
            "motcua.thads.gov.vn/tra-cuu"
        );
        assert_eq!(
            super::short_lookup_address("http://127.0.0.1:8080"),
            "127.0.0.1:8080/tra-cuu"
        );
    }
}
