//! Printed forms of processing, built from the stored record: the supplement
//! request (Mẫu 02), the apology with a new date (Mẫu 04), the control sheet
//! (Mẫu 05), and the notice that processing stopped on withdrawal.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;

use super::dossier_view::DossierView;
use super::dossier_view::{load, view};
use super::html;
use super::print::PrintHeader;
use crate::auth::Staff;
use crate::db::supplements::Supplement;
use crate::db::users::User;
use crate::domain::dossier::Status;
use crate::domain::procedure::DocumentForm;
use crate::domain::time::{format_date, format_datetime, now_utc};
use crate::error::{urlencode, AppError};
use crate::services::dossiers::DossierDetail;
use crate::services::reception::local_day;
use crate::state::AppState;

fn header(state: &AppState, d: &DossierDetail, day: chrono::NaiveDate) -> PrintHeader {
    PrintHeader::new(
        &d.office,
        d.parent_office.as_ref(),
        &state.config.place,
        day,
    )
}

pub struct MissingLine {
    pub name: String,
    pub form: &'static str,
}

#[derive(Template)]
#[template(path = "print/supplement.html")]
struct SupplementPrint {
    title: String,
    back: String,
    header: PrintHeader,
    d: DossierView,
    number: i32,
    requested_at: String,
    requested_by: String,
    missing: Vec<MissingLine>,
    note: String,
}

pub async fn supplement(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<(String, i32)>,
) -> Result<HttpResponse, AppError> {
    let (code, n) = path.into_inner();
    let d = load(&state, staff.user.office_id, code).await?;
    let id = d.dossier.id;
    let (s, by) = state
        .db
        .run(move |conn| {
            Supplement::of_dossier(conn, id)?
                .into_iter()
                .find(|(s, _)| s.number == n)
                .ok_or(AppError::NotFound)
        })
        .await?;
    let missing = serde_json::from_str::<Vec<serde_json::Value>>(&s.missing)
        .unwrap_or_default()
        .iter()
        .map(|v| MissingLine {
            name: v["name"].as_str().unwrap_or("").to_string(),
            form: DocumentForm::parse(v["form"].as_str().unwrap_or(""))
                .map(DocumentForm::label)
                .unwrap_or(""),
        })
        .collect();
    let v = view(&state, &d);
    html(
        StatusCode::OK,
        &SupplementPrint {
            title: format!("Phiếu yêu cầu bổ sung hồ sơ {}", v.code),
            back: format!("/ho-so/{}", urlencode(&v.code)),
            header: header(&state, &d, local_day(s.requested_at)),
            d: v,
            number: s.number,
            requested_at: format_datetime(s.requested_at),
            requested_by: by,
            missing,
            note: s.note,
        },
    )
}

#[derive(Template)]
#[template(path = "print/apology.html")]
struct ApologyPrint {
    title: String,
    back: String,
    header: PrintHeader,
    d: DossierView,
    reason: String,
}

pub async fn apology(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let d = load(&state, staff.user.office_id, path.into_inner()).await?;
    let (Some(at), Some(reason)) = (d.dossier.extended_at, d.dossier.extension_reason.clone())
    else {
        return Err(AppError::NotFound);
    };
    let v = view(&state, &d);
    html(
        StatusCode::OK,
        &ApologyPrint {
            title: format!("Phiếu xin lỗi và hẹn lại ngày trả kết quả {}", v.code),
            back: format!("/ho-so/{}", urlencode(&v.code)),
            header: header(&state, &d, local_day(at)),
            d: v,
            reason,
        },
    )
}

pub struct HandoverRow {
    pub number: usize,
    pub step: &'static str,
    pub giver: String,
    pub receiver: String,
    pub at: String,
    pub timeliness: &'static str,
    pub note: String,
}

#[derive(Template)]
#[template(path = "print/control.html")]
struct ControlPrint {
    title: String,
    back: String,
    header: PrintHeader,
    d: DossierView,
    rows: Vec<HandoverRow>,
}

const COUNTER: &str = "Bộ phận tiếp nhận và trả kết quả";

pub async fn control(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let d = load(&state, staff.user.office_id, path.into_inner()).await?;
    let ids: Vec<i64> = d.events.iter().filter_map(|e| e.assignee_id).collect();
    let names: HashMap<i64, String> = state
        .db
        .run(move |conn| User::names(conn, &ids))
        .await?
        .into_iter()
        .map(|(id, _, name)| (id, name))
        .collect();
    let office = d.office.name.clone();
    let mut rows = Vec::new();
    for e in &d.events {
        let assignee = e
            .assignee_id
            .and_then(|a| names.get(&a).cloned())
            .unwrap_or_else(|| "Chuyên viên xử lý".into());
        let (step, giver, receiver) = match e.action.as_str() {
            "receive" => (
                "Bộ phận một cửa giao hồ sơ cho đơn vị giải quyết",
                format!("{COUNTER} ({})", e.full_name),
                office.clone(),
            ),
            "assign" => (
                "Lãnh đạo giao chuyên viên xử lý",
                format!("{} (lãnh đạo)", e.full_name),
                assignee,
            ),
            "request_supplement" => (
                "Yêu cầu bổ sung hồ sơ",
                e.full_name.clone(),
                "Người nộp hồ sơ (qua bộ phận một cửa)".to_string(),
            ),
            "receive_supplement" => (
                "Nhận hồ sơ bổ sung",
                "Người nộp hồ sơ".to_string(),
                e.full_name.clone(),
            ),
            "submit_for_approval" => (
                "Chuyên viên trình lãnh đạo",
                e.full_name.clone(),
                "Lãnh đạo".to_string(),
            ),
            "send_back" => (
                "Lãnh đạo trả lại chuyên viên",
                format!("{} (lãnh đạo)", e.full_name),
                assignee,
            ),
            "approve" | "refuse" => (
                "Lãnh đạo chuyển kết quả cho bộ phận một cửa",
                format!("{} (lãnh đạo)", e.full_name),
                COUNTER.to_string(),
            ),
            "withdraw" => (
                "Trả lại hồ sơ do người nộp rút",
                format!("{COUNTER} ({})", e.full_name),
                "Người nộp hồ sơ".to_string(),
            ),
            "deliver_at_counter" => (
                "Trả kết quả cho người nộp",
                format!("{COUNTER} ({})", e.full_name),
                "Người nộp hồ sơ".to_string(),
            ),
            "ship_by_post" => (
                "Giao kết quả cho bưu chính",
                format!("{COUNTER} ({})", e.full_name),
                "Nhân viên bưu chính".to_string(),
            ),
            _ => continue,
        };
        let day = local_day(e.at);
        let timeliness = match e.due_date {
            None => "Dừng tính thời gian",
            Some(due) if day < due => "Trước hạn",
            Some(due) if day == due => "Đúng hạn",
            Some(_) => "Quá hạn",
        };
        rows.push(HandoverRow {
            number: rows.len() + 1,
            step,
            giver,
            receiver,
            at: format_datetime(e.at),
            timeliness,
            note: e.note.clone(),
        });
    }
    let v = view(&state, &d);
    html(
        StatusCode::OK,
        &ControlPrint {
            title: format!("Phiếu kiểm soát quá trình giải quyết hồ sơ {}", v.code),
            back: format!("/ho-so/{}", urlencode(&v.code)),
            header: header(&state, &d, local_day(now_utc())),
            d: v,
            rows,
        },
    )
}

#[derive(Template)]
#[template(path = "print/stop.html")]
struct StopPrint {
    title: String,
    back: String,
    header: PrintHeader,
    d: DossierView,
    reason: String,
    at: String,
}

pub async fn stop(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let d = load(&state, staff.user.office_id, path.into_inner()).await?;
    if d.status() != Status::Withdrawn {
        return Err(AppError::NotFound);
    }
    let at = d
        .events
        .iter()
        .rev()
        .find(|e| e.action == "withdraw")
        .map(|e| e.at)
        .unwrap_or(d.dossier.updated_at);
    let v = view(&state, &d);
    html(
        StatusCode::OK,
        &StopPrint {
            title: format!("Thông báo dừng giải quyết hồ sơ {}", v.code),
            back: format!("/ho-so/{}", urlencode(&v.code)),
            header: header(&state, &d, local_day(at)),
            reason: d.dossier.closing_reason.clone().unwrap_or_default(),
            at: format_date(local_day(at)),
            d: v,
        },
    )
}
