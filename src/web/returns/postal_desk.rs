//! The postal desk: intake records of dossiers received by post, handover lists of results for the postal worker, and delivery outcomes imported from the postal operator's CSV.

use std::collections::HashMap;

use actix_multipart::Multipart;
use actix_session::SessionExt;
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use askama::Template;
use futures_util::StreamExt;

use crate::auth::csrf::CsrfForm;
use crate::auth::session::push_flash;
use crate::auth::Staff;
use crate::db::dossiers::{Dossier, DossierFilter};
use crate::db::postal::{PostalIntake, Shipment};
use crate::domain::fields::FieldErrors;
use crate::domain::reception::{format_amount, parse_amount};
use crate::domain::role::Receivers;
use crate::domain::time::{format_datetime, now_utc};
use crate::error::ActionError;
use crate::error::AppError;
use crate::services::dossiers::{self as reading, visible_offices};
use crate::services::reception::local_day;
use crate::services::returns::{self, ShipLine};
use crate::services::Actor;
use crate::state::AppState;
use crate::web::layout::Layout;
use crate::web::print::PrintHeader;
use crate::web::{html, see_other};

pub struct IntakeRow {
    pub id: i64,
    pub number: String,
    pub signed_at: String,
    pub worker: String,
}

pub struct ShipmentRow {
    pub id: i64,
    pub number: String,
    pub at: String,
    pub worker: String,
}

pub struct ToShip {
    pub id: i64,
    pub code: String,
    pub version: i32,
    pub applicant: String,
    pub address: String,
    pub postal_returns: i32,
}

pub struct InTransit {
    pub code: String,
    pub tracking: String,
    pub applicant: String,
}

#[derive(Template)]
#[template(path = "returns/postal.html")]
struct PostalPage {
    page: Layout,
    intakes: Vec<IntakeRow>,
    shipments: Vec<ShipmentRow>,
    to_ship: Vec<ToShip>,
    in_transit: Vec<InTransit>,
    intake_errors: FieldErrors,
    intake_form: HashMap<String, String>,
    ship_errors: Vec<String>,
    ship_form: HashMap<String, String>,
    import_errors: Vec<String>,
    picked: Vec<i64>,
}

impl PostalPage {
    fn intake_value(&self, k: &str) -> &str {
        self.intake_form.get(k).map(String::as_str).unwrap_or("")
    }
    fn ship_value(&self, k: &str) -> &str {
        self.ship_form.get(k).map(String::as_str).unwrap_or("")
    }
}

#[derive(Default)]
struct PostalState {
    intake_errors: FieldErrors,
    intake_form: HashMap<String, String>,
    ship_errors: Vec<String>,
    ship_form: HashMap<String, String>,
    import_errors: Vec<String>,
    picked: Vec<i64>,
}

async fn postal_page(
    req: &HttpRequest,
    staff: &Staff<Receivers>,
    state: &AppState,
    st: PostalState,
) -> Result<HttpResponse, AppError> {
    let office = staff.user.office_id;
    let (intakes, shipments, ready, transit) = state
        .db
        .run(move |conn| {
            let visible = visible_offices(conn, office)?;
            let intakes = PostalIntake::recent(conn, &visible, 20)?;
            let shipments = Shipment::recent(conn, &visible, 20)?;
            let base = DossierFilter {
                office_ids: visible,
                by_due_date: true,
                ..DossierFilter::default()
            };
            let ready = reading::list(
                conn,
                &DossierFilter {
                    status: Some("result_ready".into()),
                    ..base.clone()
                },
                0,
                500,
            )?
            .0;
            let transit = reading::list(
                conn,
                &DossierFilter {
                    status: Some("in_transit".into()),
                    ..base
                },
                0,
                500,
            )?
            .0;
            Ok((intakes, shipments, ready, transit))
        })
        .await?;
    let failed =
        !(st.intake_errors.is_empty() && st.ship_errors.is_empty() && st.import_errors.is_empty());
    html(
        if failed {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        },
        &PostalPage {
            page: Layout::new(req, "Bưu chính công ích", Some(&staff.user)),
            intakes: intakes
                .into_iter()
                .map(|i| IntakeRow {
                    id: i.id,
                    number: i.record_number,
                    signed_at: format_datetime(i.signed_at),
                    worker: i.postal_worker,
                })
                .collect(),
            shipments: shipments
                .into_iter()
                .map(|s| ShipmentRow {
                    id: s.id,
                    number: s.number,
                    at: format_datetime(s.created_at),
                    worker: s.postal_worker,
                })
                .collect(),
            to_ship: ready
                .into_iter()
                // A letter that came back waits at the counter.
                .filter(|r| r.dossier.postal_address.is_some() && r.dossier.postal_returns == 0)
                .map(|r| ToShip {
                    id: r.dossier.id,
                    code: r.dossier.code,
                    version: r.dossier.version,
                    applicant: r.dossier.applicant_name,
                    address: r.dossier.postal_address.unwrap_or_default(),
                    postal_returns: r.dossier.postal_returns,
                })
                .collect(),
            in_transit: transit
                .into_iter()
                .map(|r| InTransit {
                    code: r.dossier.code,
                    tracking: r.dossier.tracking_number.unwrap_or_default(),
                    applicant: r.dossier.applicant_name,
                })
                .collect(),
            intake_errors: st.intake_errors,
            intake_form: st.intake_form,
            ship_errors: st.ship_errors,
            ship_form: st.ship_form,
            import_errors: st.import_errors,
            picked: st.picked,
        },
    )
}

#[get("/buu-chinh")]
pub async fn postal(
    req: HttpRequest,
    staff: Staff<Receivers>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    postal_page(&req, &staff, &state, PostalState::default()).await
}

#[post("/buu-chinh/nhan")]
pub async fn open_intake(
    req: HttpRequest,
    staff: Staff<Receivers>,
    state: web::Data<AppState>,
    form: CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let fields: HashMap<String, String> = form.0.into_iter().collect();
    let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
    let raw = get("signed_at");
    let signed_at = ["%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S"]
        .iter()
        .find_map(|f| chrono::NaiveDateTime::parse_from_str(raw.trim(), f).ok())
        .filter(|t| crate::domain::time::SANE_YEARS.contains(&chrono::Datelike::year(t)))
        .map(|t| t - chrono::Duration::hours(7));
    let actor = Actor::from(&staff.user);
    let (number, worker) = (get("record_number"), get("postal_worker"));
    let result = state
        .db
        .run(move |conn| {
            Ok(returns::open_intake(
                conn,
                &actor,
                &number,
                signed_at,
                &worker,
                now_utc(),
            ))
        })
        .await?;
    match result {
        Ok(intake) => {
            push_flash(
                &req.get_session(),
                "success",
                &format!(
                    "Đã ghi biên bản số {}: tiếp nhận lần lượt từng hồ sơ trong biên bản.",
                    intake.record_number
                ),
            );
            Ok(see_other(&format!("/tiep-nhan?lo={}", intake.id)))
        }
        Err(ActionError::Failed(e)) => Err(e),
        Err(ActionError::Invalid(mut errors)) => {
            if !raw.trim().is_empty() && signed_at.is_none() {
                errors = {
                    let mut e = FieldErrors::new();
                    e.add(
                        "signed_at",
                        "Ghi thời điểm dạng ngày/tháng/năm giờ:phút, ví dụ 25/11/2026 09:30.",
                    );
                    for (f, m) in errors.iter() {
                        e.add(f, m);
                    }
                    e
                };
            }
            let st = PostalState {
                intake_errors: errors,
                intake_form: fields,
                ..PostalState::default()
            };
            postal_page(&req, &staff, &state, st).await
        }
    }
}

#[derive(Template)]
#[template(path = "returns/intake.html")]
struct IntakePage {
    page: Layout,
    intake: IntakeRow,
    /// Dossiers are received under a record by its own office's counter.
    can_receive: bool,
    dossiers: Vec<(String, String, String)>,
}

#[get("/buu-chinh/nhan/{id}")]
pub async fn intake_page(
    req: HttpRequest,
    staff: Staff<Receivers>,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let office = staff.user.office_id;
    let (intake, dossiers) = state
        .db
        .run(move |conn| {
            let visible = visible_offices(conn, office)?;
            let intake = PostalIntake::find(conn, id)?
                .filter(|i| visible.contains(&i.office_id))
                .ok_or(AppError::NotFound)?;
            let dossiers = PostalIntake::dossiers(conn, id)?;
            Ok((intake, dossiers))
        })
        .await?;
    html(
        StatusCode::OK,
        &IntakePage {
            page: Layout::new(&req, "Biên bản giao nhận bưu chính", Some(&staff.user)),
            can_receive: intake.office_id == staff.user.office_id,
            intake: IntakeRow {
                id: intake.id,
                number: intake.record_number,
                signed_at: format_datetime(intake.signed_at),
                worker: intake.postal_worker,
            },
            dossiers: dossiers
                .into_iter()
                .map(|(c, a, s)| (c, a, s.unwrap_or_default()))
                .collect(),
        },
    )
}

/// Hands the ticked results (`pick` = dossier id) to the postal worker,
/// each with its tracking number and postage, on one handover list.
#[post("/buu-chinh/gui")]
pub async fn ship(
    req: HttpRequest,
    staff: Staff<Receivers>,
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
    number: String,
    worker: String,
    at: String,
    lines: Vec<ShipmentLine>,
    total_postage: String,
}

#[get("/buu-chinh/gui/{id}")]
pub async fn shipment_print(
    staff: Staff<Receivers>,
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
            ),
            number: shipment.number,
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

const UPLOAD_LIMIT: usize = 1024 * 1024;
/// The form has two fields (`csrf_token`, `file`); a few more are tolerated.
const UPLOAD_FIELDS: usize = 8;

/// Imports delivery outcomes from the postal operator's CSV file
/// (multipart: `csrf_token`, `file`). All lines or none.
#[post("/buu-chinh/ket-qua-phat")]
pub async fn import(
    req: HttpRequest,
    staff: Staff<Receivers>,
    state: web::Data<AppState>,
    mut payload: Multipart,
) -> Result<HttpResponse, AppError> {
    let mut token = None;
    let mut file = Vec::new();
    let (mut fields, mut total) = (0, 0);
    while let Some(item) = payload.next().await {
        let mut field =
            item.map_err(|_| AppError::BadRequest("Không đọc được tệp gửi lên.".into()))?;
        fields += 1;
        if fields > UPLOAD_FIELDS {
            return Err(AppError::BadRequest(
                "Biểu mẫu gửi lên có quá nhiều trường.".into(),
            ));
        }
        let name = field.name().unwrap_or("").to_string();
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk =
                chunk.map_err(|_| AppError::BadRequest("Không đọc được tệp gửi lên.".into()))?;
            total += chunk.len();
            if bytes.len() + chunk.len() > UPLOAD_LIMIT || total > UPLOAD_LIMIT + 64 * 1024 {
                return Err(AppError::BadRequest("Tệp quá lớn (tối đa 1 MiB).".into()));
            }
            bytes.extend_from_slice(&chunk);
        }
        match name.as_str() {
            "csrf_token" => token = Some(String::from_utf8_lossy(&bytes).into_owned()),
            "file" => file = bytes,
            _ => {}
        }
    }
    crate::auth::csrf::check(&req.get_session(), token.as_deref())?;
    if file.is_empty() {
        let st = PostalState {
            import_errors: vec!["Chọn tệp CSV kết quả phát của bưu chính.".into()],
            ..PostalState::default()
        };
        return postal_page(&req, &staff, &state, st).await;
    }
    let cal = state.calendar().await?;
    let actor = Actor::from(&staff.user);
    let office = staff.user.office_id;
    let result = state
        .db
        .run(move |conn| {
            let visible = visible_offices(conn, office)?;
            Ok(returns::import_outcomes(
                conn,
                &cal,
                &actor,
                &visible,
                &file,
                now_utc(),
            ))
        })
        .await?;
    match result {
        Ok(report) => {
            push_flash(
                &req.get_session(),
                "success",
                &format!(
                    "Đã nhập kết quả phát: {} đã phát, {} chuyển hoàn về bộ phận một cửa.",
                    report.delivered, report.returned
                ),
            );
            Ok(see_other("/buu-chinh"))
        }
        Err(errors) => {
            let st = PostalState {
                import_errors: errors,
                ..PostalState::default()
            };
            postal_page(&req, &staff, &state, st).await
        }
    }
}
