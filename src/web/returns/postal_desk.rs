//! The postal desk: its page (intake records, results to post, results in
//! transit) and the intake records of dossiers received by post.

use std::collections::HashMap;

use actix_session::SessionExt;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use crate::auth::csrf::CsrfForm;
use crate::auth::session::push_flash;
use crate::auth::Staff;
use crate::db::dossiers::DossierFilter;
use crate::db::postal::{PostalIntake, Shipment};
use crate::domain::fields::FieldErrors;
use crate::domain::time::{format_datetime, now_utc};
use crate::error::ActionError;
use crate::error::AppError;
use crate::services::dossiers::{self as reading, visible_offices};
use crate::services::returns::{self};
use crate::services::Actor;
use crate::state::AppState;
use crate::web::layout::Layout;
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
pub(super) struct PostalState {
    pub(super) intake_errors: FieldErrors,
    pub(super) intake_form: HashMap<String, String>,
    pub(super) ship_errors: Vec<String>,
    pub(super) ship_form: HashMap<String, String>,
    pub(super) import_errors: Vec<String>,
    pub(super) picked: Vec<i64>,
}

pub(super) async fn postal_page(
    req: &HttpRequest,
    staff: &Staff,
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

pub async fn postal(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    postal_page(&req, &staff, &state, PostalState::default()).await
}

pub async fn open_intake(
    req: HttpRequest,
    staff: Staff,
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
        .map(crate::domain::time::local_to_utc);
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

pub async fn intake_page(
    req: HttpRequest,
    staff: Staff,
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
