//! The return counter: results ready, a code or a scanned QR link, the citizen's rating, the return record.

use actix_session::SessionExt;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::auth::csrf::CsrfForm;
use crate::auth::session::push_flash;
use crate::auth::Staff;
use crate::db::dossiers::{DossierFilter, DossierRow};
use crate::domain::time::{format_datetime, now_utc};
use crate::error::ActionError;
use crate::error::{urlencode, AppError};
use crate::services::dossiers::{self as reading, visible_offices};
use crate::services::reception::local_day;
use crate::services::returns::{self};
use crate::services::Actor;
use crate::state::AppState;
use crate::web::dossier_view::DossierView;
use crate::web::dossier_view::{load, view};
use crate::web::layout::Layout;
use crate::web::print::PrintHeader;
use crate::web::{html, see_other};

pub struct ReadyRow {
    pub code: String,
    pub applicant: String,
    pub procedure: String,
    pub return_method: &'static str,
    pub decided: String,
    pub postal_returns: i32,
}

fn ready_rows(rows: Vec<DossierRow>) -> Vec<ReadyRow> {
    rows.into_iter()
        .map(|r| {
            let x = r.dossier;
            ReadyRow {
                return_method: crate::domain::procedure::ReturnMethod::parse(&x.return_method)
                    .map(|m| m.label())
                    .unwrap_or(""),
                code: x.code,
                applicant: x.applicant_name,
                procedure: r.procedure_name,
                decided: x.decided_at.map(format_datetime).unwrap_or_default(),
                postal_returns: x.postal_returns,
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "returns/counter.html")]
struct CounterPage {
    page: Layout,
    q: String,
    message: String,
    ready: Vec<ReadyRow>,
}

#[derive(Deserialize)]
pub struct CounterQuery {
    q: Option<String>,
}

pub async fn counter(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
    query: web::Query<CounterQuery>,
) -> Result<HttpResponse, AppError> {
    counter_page(&req, &staff, &state, query.into_inner()).await
}

/// A code typed or a receipt's QR link scanned: posted, so that the link's
/// token never lands in a URL.
pub async fn counter_search(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
    CsrfForm(form): CsrfForm<CounterQuery>,
) -> Result<HttpResponse, AppError> {
    counter_page(&req, &staff, &state, form).await
}

async fn counter_page(
    req: &HttpRequest,
    staff: &Staff,
    state: &AppState,
    query: CounterQuery,
) -> Result<HttpResponse, AppError> {
    let q: String = query
        .q
        .unwrap_or_default()
        .trim()
        .chars()
        .take(300)
        .collect();
    let office = staff.user.office_id;
    let q2 = q.clone();
    let (found, ready) = state
        .db
        .run(move |conn| {
            let visible = visible_offices(conn, office)?;
            let found = if q2.is_empty() {
                None
            } else {
                reading::find_entry(conn, &q2, &visible)?
            };
            let filter = DossierFilter {
                office_ids: visible,
                status: Some("result_ready".into()),
                by_due_date: true,
                ..DossierFilter::default()
            };
            Ok((found, reading::list(conn, &filter, 0, 500)?.0))
        })
        .await?;
    if let Some(code) = found {
        return Ok(see_other(&format!("/ho-so/{}", urlencode(&code))));
    }
    let message = if q.is_empty() {
        String::new()
    } else {
        format!("Không tìm thấy hồ sơ “{q}” trong đơn vị của bạn.")
    };
    html(
        if message.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::NOT_FOUND
        },
        &CounterPage {
            page: Layout::new(req, "Trả kết quả", Some(&staff.user)),
            q,
            message,
            ready: ready_rows(ready),
        },
    )
}

#[derive(Deserialize)]
pub struct RatingForm {
    #[serde(default)]
    level: String,
    #[serde(default)]
    comment: String,
}

pub async fn rate(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: CsrfForm<RatingForm>,
) -> Result<HttpResponse, AppError> {
    let code = path.into_inner();
    let d = load(&state, staff.user.office_id, code.clone()).await?;
    let actor = Actor::from(&staff.user);
    let id = d.dossier.id;
    let RatingForm { level, comment } = form.0;
    let result = state
        .db
        .run(move |conn| Ok(returns::rate(conn, &actor, id, &level, &comment, now_utc())))
        .await?;
    let session = req.get_session();
    match result {
        Ok(()) => push_flash(&session, "success", "Đã ghi nhận đánh giá của người dân."),
        Err(ActionError::Invalid(e)) => {
            let m = e
                .iter()
                .next()
                .map(|(_, m)| m.to_string())
                .unwrap_or_default();
            push_flash(&session, "error", &m);
        }
        Err(ActionError::Failed(e)) => return Err(e),
    }
    Ok(see_other(&format!("/ho-so/{}", urlencode(&code))))
}

#[derive(Template)]
#[template(path = "print/return_record.html")]
struct ReturnRecord {
    title: String,
    back: String,
    header: PrintHeader,
    d: DossierView,
    recipient: String,
    id_number: String,
    authorisation: String,
    at: String,
    result: String,
    clerk: String,
}

pub async fn return_record(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let d = load(&state, staff.user.office_id, path.into_inner()).await?;
    let (Some(at), Some(recipient)) = (d.dossier.delivered_at, d.dossier.recipient_name.clone())
    else {
        return Err(AppError::NotFound);
    };
    let clerk = d
        .events
        .iter()
        .rev()
        .find(|e| e.action == "deliver_at_counter")
        .map(|e| e.full_name.clone())
        .unwrap_or_default();
    let v = view(&state, &d);
    html(
        StatusCode::OK,
        &ReturnRecord {
            title: format!("Phiếu trả kết quả {}", v.code),
            back: format!("/ho-so/{}", urlencode(&v.code)),
            header: PrintHeader::new(
                &d.office,
                d.parent_office.as_ref(),
                &state.config.place,
                local_day(at),
            ),
            recipient,
            id_number: d.dossier.recipient_id_number.clone().unwrap_or_default(),
            authorisation: d
                .dossier
                .recipient_authorisation
                .clone()
                .unwrap_or_default(),
            at: format_datetime(at),
            result: if v.result.is_empty() {
                v.outcome.clone()
            } else {
                v.result.clone()
            },
            clerk,
            d: v,
        },
    )
}
