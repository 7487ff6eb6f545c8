//! Handover lists of results for the postal worker: made from the postal desk, printed on A4.

use std::collections::HashMap;

use actix_session::SessionExt;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::postal_desk::{postal_page, PostalState};
use crate::auth::csrf::CsrfForm;
use crate::auth::session::push_flash;
use crate::auth::Staff;
use crate::db::dossiers::Dossier;
use crate::db::postal::Shipment;
use crate::domain::reception::{format_amount, parse_amount};
use crate::domain::time::{format_datetime, now_utc};
use crate::error::AppError;
use crate::services::dossiers::visible_offices;
use crate::services::reception::local_day;
use crate::services::returns::{self, ShipLine};
use crate::services::Actor;
use crate::state::AppState;
use crate::web::print::PrintHeader;
use crate::web::{html, see_other};

/// Hands the ticked results (`pick` = dossier id) to the postal worker,
/// each with its tracking number and postage, on one handover list.
pub async fn ship(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
    form: CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let mut picks: Vec<i64> = form
        .0
        .iter()
        .filter(|(k, _)| k == "pick")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    picks.sort_unstable();
    picks.dedup();
    let picked = picks.clone();
    let fields: HashMap<String, String> = form.0.into_iter().collect();
    let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
    let mut errors = Vec::new();
    let mut lines = Vec::new();
    for id in &picks {
        let code = get(&format!("code_{id}"));
        let postage = match parse_amount(&get(&format!("postage_{id}"))) {
            Ok(p) => p,
            Err(m) => {
                errors.push(format!("{code}: {m}"));
                None
            }
        };
        lines.push(ShipLine {
            dossier_id: *id,
            version: get(&format!("version_{id}")).parse().unwrap_or(-1),
            code,
            tracking_number: get(&format!("tracking_{id}")),
            postage,
        });
    }
    if errors.is_empty() {
        let cal = state.calendar().await?;
        let actor = Actor::from(&staff.user);
        let office = staff.user.office_id;
        let worker = get("postal_worker");
        let result = state
            .db
            .run(move |conn| {
                let visible = visible_offices(conn, office)?;
                for l in &lines {
                    let ok = Dossier::find(conn, l.dossier_id)
                        .map(|d| visible.contains(&d.office_id))
                        .unwrap_or(false);
                    if !ok {
                        return Ok(Err(vec![format!("{}: không tìm thấy", l.code)]));
                    }
                }
                Ok(returns::ship(
                    conn,
                    &cal,
                    &actor,
                    &worker,
                    &lines,
                    now_utc(),
                ))
            })
            .await?;
        match result {
            Ok(shipment) => {
                push_flash(
                    &req.get_session(),
                    "success",
                    &format!("Đã lập danh sách giao bưu chính số {}.", shipment.number),
                );
                return Ok(see_other(&format!("/buu-chinh/gui/{}", shipment.id)));
            }
            Err(e) => errors = e,
        }
    }
    let st = PostalState {
        ship_errors: errors,
        ship_form: fields,
        picked,
        ..PostalState::default()
    };
    postal_page(&req, &staff, &state, st).await
}

pub struct ShipmentLine {
    pub code: String,
    pub applicant: String,
    pub address: String,
    pub tracking: String,
    pub postage: String,
}

#[derive(Template)]
#[template(path = "print/shipment.html")]
struct ShipmentPrint {
    title: String,
    back: String,
    header: PrintHeader,
    worker: String,
    at: String,
    lines: Vec<ShipmentLine>,
    total_postage: String,
}

pub async fn shipment_print(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let office = staff.user.office_id;
    let (shipment, rows, office_row, parent) = state
        .db
        .run(move |conn| {
            let visible = visible_offices(conn, office)?;
            let shipment = Shipment::find(conn, id)?
                .filter(|s| visible.contains(&s.office_id))
                .ok_or(AppError::NotFound)?;
            let rows = crate::db::postal::ShipmentLine::of_shipment(conn, id)?;
            let o = crate::db::offices::Office::find(conn, shipment.office_id)?;
            let parent = match o.parent_id {
                Some(p) => Some(crate::db::offices::Office::find(conn, p)?),
                None => None,
            };
            Ok((shipment, rows, o, parent))
        })
        .await?;
    let total: i64 = rows.iter().filter_map(|l| l.postage).sum();
    html(
        StatusCode::OK,
        &ShipmentPrint {
            title: format!(
                "Danh sách giao kết quả cho bưu chính số {}",
                shipment.number
            ),
            back: "/buu-chinh".into(),
            header: PrintHeader::new(
                &office_row,
                parent.as_ref(),
                &state.config.place,
                local_day(shipment.created_at),
            )
            .numbered(shipment.number.clone()),
            worker: shipment.postal_worker,
            at: format_datetime(shipment.created_at),
            lines: rows
                .into_iter()
                .map(|l| ShipmentLine {
                    code: l.code,
                    applicant: l.recipient,
                    address: l.address,
                    tracking: l.tracking_number,
                    postage: l.postage.map(format_amount).unwrap_or_default(),
                })
                .collect(),
            total_postage: format_amount(total),
        },
    )
}
