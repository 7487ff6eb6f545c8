//! Finding dossiers: by status (a link), by code, name, ID number or phone (posted).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::auth::csrf::CsrfForm;
use crate::auth::Staff;
use crate::db::dossiers::{DossierFilter, DossierRow};
use crate::domain::dossier::{is_overdue, Status};
use crate::domain::time::{format_date, format_datetime, today};
use crate::error::{urlencode, AppError};
use crate::services::dossiers::{self};
use crate::state::AppState;
use crate::web::layout::Layout;
use crate::web::options::{status_options, StatusOption};
use crate::web::paging::Pager;
use crate::web::{html, see_other};

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
    pub office: String,
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
            office: r.office_name.clone(),
        }
    }
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
    overdue: bool,
    office: String,
    offices: Vec<(String, String)>,
}

#[derive(Deserialize)]
pub struct ListQuery {
    q: Option<String>,
    trang_thai: Option<String>,
    /// "1": only overdue dossiers.
    qua_han: Option<String>,
    /// An office code: that office and those below it.
    don_vi: Option<String>,
    page: Option<i64>,
}

/// The list by status (`?trang_thai=`). A search by name, ID number or phone
/// is posted (`search`), so that personal data never travels in a URL.
pub async fn list(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    search_page(&req, &staff, &state, query).await
}

/// A search from the header box or the search page.
pub async fn search(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
    CsrfForm(form): CsrfForm<ListQuery>,
) -> Result<HttpResponse, AppError> {
    search_page(&req, &staff, &state, form).await
}

async fn search_page(
    req: &HttpRequest,
    staff: &Staff,
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
    if crate::services::dossiers::token_in(&q).is_some() {
        let office = staff.user.office_id;
        let q2 = q.clone();
        let found = state
            .db
            .run(move |conn| {
                let visible = dossiers::visible_offices(conn, office)?;
                crate::services::dossiers::find_entry(conn, &q2, &visible)
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
    let overdue = query.qua_han.as_deref() == Some("1");
    let chosen_office = query.don_vi.clone().unwrap_or_default().trim().to_string();
    // Page links carry the filters only; a search pages by posting its words.
    let base = format!(
        "/ho-so?trang_thai={status}&qua_han={}&don_vi={}",
        if overdue { "1" } else { "" },
        urlencode(&chosen_office)
    );
    let office = staff.user.office_id;
    let requested = query.page;
    let (q2, s2, o2) = (q.clone(), status.clone(), chosen_office.clone());
    let (rows, pager, offices) = state
        .db
        .run(move |conn| {
            let scope =
                crate::services::reports::scope(conn, office, None)?.ok_or(AppError::NotFound)?;
            let offices: Vec<(String, String)> = scope
                .offices
                .iter()
                .map(|o| (o.code.clone(), o.name.clone()))
                .collect();
            // An office outside the user's is no office: nothing listed.
            let office_ids = match crate::services::reports::scope(conn, office, Some(&o2))? {
                Some(s) => s.ids(),
                None => Vec::new(),
            };
            let filter = DossierFilter {
                office_ids,
                q: Some(q2).filter(|q| !q.is_empty()),
                status: Some(s2).filter(|s| !s.is_empty()),
                overdue_as_of: overdue.then(today),
                include_voided: !overdue,
                ..DossierFilter::default()
            };
            let (_, total) = dossiers::list(conn, &filter, 0, 0)?;
            let pager = Pager::new(requested, PER_PAGE, total, base);
            let (rows, _) = dossiers::list(conn, &filter, pager.offset(), PER_PAGE)?;
            Ok((rows.iter().map(RowView::of).collect(), pager, offices))
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
            overdue,
            office: chosen_office,
            offices,
        },
    )
}
