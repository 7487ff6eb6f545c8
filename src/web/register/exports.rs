//! The register exported: Excel (.xlsx) and CSV with its header and BOM.

use actix_web::{web, HttpResponse};

use super::page::{checked, load, Filters, LineView, RegisterQuery};
use crate::auth::Staff;
use crate::error::AppError;
use crate::services::export::{Cell, Table};
use crate::state::AppState;
fn table(f: &Filters, lines: Vec<LineView>) -> Table {
    Table {
        title: "SỔ THEO DÕI HỒ SƠ (Mẫu số 06)".into(),
        subtitle: f.period(),
        sheet: "So theo doi ho so".into(),
        columns: vec![
            ("Số TT/Năm", 10.0),
            ("Mã hồ sơ", 24.0),
            ("Tên thủ tục hành chính", 36.0),
            ("Số lượng hồ sơ (bộ)", 10.0),
            ("Tên cá nhân, tổ chức", 26.0),
            ("Địa chỉ", 30.0),
            ("Số điện thoại", 14.0),
            ("Cơ quan chủ trì giải quyết", 26.0),
            ("Hình thức nộp", 14.0),
            ("Nhận hồ sơ (giờ, ngày)", 17.0),
            ("Hẹn trả kết quả", 13.0),
            ("Chuyển hồ sơ đến cơ quan giải quyết", 17.0),
            ("Có kết quả", 17.0),
            ("Trạng thái", 20.0),
            ("Ghi chú", 24.0),
        ],
        rows: lines
            .into_iter()
            .map(|l| {
                vec![
                    Cell::from(l.number),
                    Cell::from(l.code),
                    Cell::from(l.procedure),
                    Cell::from(l.sets as i64),
                    Cell::from(l.applicant),
                    Cell::from(l.address),
                    Cell::from(l.phone),
                    Cell::from(l.office),
                    Cell::from(l.channel),
                    Cell::from(l.received_at),
                    Cell::from(l.due_date),
                    Cell::from(l.transferred),
                    Cell::from(l.decided),
                    Cell::from(l.status),
                    Cell::from(l.note),
                ]
            })
            .collect(),
    }
}

fn file_name(f: &Filters, ext: &str) -> String {
    format!(
        "so-theo-doi-ho-so-{}-{}.{ext}",
        f.from.format("%Y%m%d"),
        f.to.format("%Y%m%d")
    )
}

pub async fn excel(
    staff: Staff,
    state: web::Data<AppState>,
    query: web::Query<RegisterQuery>,
) -> Result<HttpResponse, AppError> {
    let f = checked(&query)?;
    let (lines, ..) = load(&state, staff.user.office_id, &f, None, false).await?;
    let bytes = table(&f, lines).to_xlsx()?;
    Ok(crate::web::attachment(
        crate::web::XLSX,
        &file_name(&f, "xlsx"),
        bytes,
    ))
}

pub async fn csv(
    staff: Staff,
    state: web::Data<AppState>,
    query: web::Query<RegisterQuery>,
) -> Result<HttpResponse, AppError> {
    let f = checked(&query)?;
    let (lines, ..) = load(&state, staff.user.office_id, &f, None, false).await?;
    let bytes = table(&f, lines).to_csv()?;
    Ok(crate::web::attachment(
        "text/csv; charset=utf-8",
        &file_name(&f, "csv"),
        bytes,
    ))
}
