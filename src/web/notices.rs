//! The printed supplement request (Mẫu 02) and refusal (Mẫu 03) issued at
//! reception, built from the stored record.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;

use super::html;
use super::print::PrintHeader;
use crate::auth::Staff;
use crate::db::notices::CounterNotice;
use crate::db::offices::Office;
use crate::domain::procedure::{Channel, DocumentForm};
use crate::domain::time::format_datetime;
use crate::error::AppError;
use crate::services::dossiers;
use crate::services::reception::{local_day, NoticeKind};
use crate::state::AppState;

pub struct MissingView {
    pub name: String,
    pub form: &'static str,
}

#[derive(Template)]
#[template(path = "print/notice.html")]
struct NoticePage {
    title: String,
    back: String,
    header: PrintHeader,
    supplement: bool,
    issued_at: String,
    applicant: String,
    representative: String,
    address: String,
    phone: String,
    procedure: String,
    channel: &'static str,
    missing: Vec<MissingView>,
    reason: String,
    staff_name: String,
    contact_phone: String,
}

pub async fn show(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let office_id = staff.user.office_id;
    let (row, office, parent) = state
        .db
        .run(move |conn| {
            let visible = dossiers::visible_offices(conn, office_id)?;
            let row = CounterNotice::find(conn, id)?
                .filter(|r| visible.contains(&r.notice.office_id))
                .ok_or(AppError::NotFound)?;
            let office = Office::find(conn, row.notice.office_id)?;
            let parent = match office.parent_id {
                Some(p) => Some(Office::find(conn, p)?),
                None => None,
            };
            Ok((row, office, parent))
        })
        .await?;
    let n = &row.notice;
    let kind = NoticeKind::parse(&n.kind).unwrap_or(NoticeKind::Refusal);
    let missing = serde_json::from_str::<Vec<serde_json::Value>>(&n.missing)
        .unwrap_or_default()
        .iter()
        .map(|v| MissingView {
            name: v["name"].as_str().unwrap_or("").to_string(),
            form: DocumentForm::parse(v["form"].as_str().unwrap_or(""))
                .map(DocumentForm::label)
                .unwrap_or(""),
        })
        .collect();
    html(
        StatusCode::OK,
        &NoticePage {
            title: format!("{} số {}", kind.label(), n.number),
            back: format!(
                "/tiep-nhan/moi?thu_tuc={}",
                crate::error::urlencode(&row.procedure_code)
            ),
            header: PrintHeader::new(
                &office,
                parent.as_ref(),
                &state.config.place,
                local_day(n.at),
            )
            .numbered(n.number.clone()),
            supplement: kind == NoticeKind::Supplement,
            issued_at: format_datetime(n.at),
            applicant: n.applicant_name.clone(),
            representative: n.representative.clone().unwrap_or_default(),
            address: n.address.clone().unwrap_or_default(),
            phone: n.phone.clone().unwrap_or_default(),
            procedure: row.procedure_name.clone(),
            channel: Channel::parse(&n.channel).map(Channel::label).unwrap_or(""),
            missing,
            reason: n.reason.clone(),
            staff_name: row.staff_name.clone(),
            contact_phone: n.contact_phone.clone().unwrap_or_default(),
        },
    )
}
