//! The leader's queue: dossiers to assign (one or many at once), results awaiting approval, dates moved by the calendar, this month's ratings.

use std::collections::HashMap;

use actix_session::SessionExt;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::rows::{rows, WorkRow};
use crate::auth::csrf::CsrfForm;
use crate::auth::session::push_flash;
use crate::auth::Staff;
use crate::db::dossiers::DossierFilter;
use crate::db::users::User;
use crate::domain::dossier::Status;
use crate::domain::time::{format_date, format_datetime, now_utc, today};
use crate::error::AppError;
use crate::services::dossiers::{self, visible_offices};
use crate::services::processing::{act, ActError, ActionInput};
use crate::services::Actor;
use crate::state::AppState;
use crate::web::layout::Layout;
use crate::web::{html, see_other};
pub struct OfficerChoice {
    pub username: String,
    pub name: String,
    /// Current load, e.g. "12 đang giải quyết, 2 quá hạn".
    pub load: String,
}

#[derive(Template)]
#[template(path = "work/queue.html")]
struct QueuePage {
    page: Layout,
    to_assign: Vec<WorkRow>,
    to_approve: Vec<WorkRow>,
    in_progress: Vec<WorkRow>,
    officers: Vec<OfficerChoice>,
    officer: String,
    error: String,
    /// The outcome of a bulk assignment, shown from the request (never stored
    /// in the cookie, which a long list of failures would overflow).
    assigned: Option<Assigned>,
    ratings: crate::web::ratings::RatingSummary,
    /// Due dates moved by a holiday-calendar change in the last 30 days: the office calls the citizen.
    moved: Vec<MovedRow>,
    /// The dossiers ticked when the form came back with an error.
    picked: Vec<String>,
}

impl QueuePage {
    fn is_picked(&self, code: &str) -> bool {
        self.picked.iter().any(|c| c == code)
    }
}

/// What a bulk assignment did.
pub struct Assigned {
    pub done: usize,
    pub failures: Vec<String>,
}

/// A due date a calendar change moved.
pub struct MovedRow {
    pub code: String,
    pub applicant: String,
    pub phone: String,
    pub status: &'static str,
    pub when: String,
    pub before: String,
    pub after: String,
}

fn moved_rows(moves: Vec<crate::db::dossiers::CalendarMove>) -> Vec<MovedRow> {
    moves
        .into_iter()
        .map(|m| MovedRow {
            code: m.code,
            applicant: m.applicant_name,
            phone: m.phone,
            status: Status::parse(&m.status).map_or("", Status::label),
            when: format_datetime(m.at),
            before: m.before.map(format_date).unwrap_or_default(),
            after: m.after.map(format_date).unwrap_or_default(),
        })
        .collect()
}

async fn queue_page(
    req: &HttpRequest,
    staff: &Staff,
    state: &AppState,
    officer: String,
    error: String,
    assigned: Option<Assigned>,
    picked: Vec<String>,
) -> Result<HttpResponse, AppError> {
    let cal = state.calendar().await?;
    let office = staff.user.office_id;
    let cal_for_loads = cal.clone();
    let (to_assign, to_approve, in_progress, officers, names, ratings, moved, loads) = state
        .db
        .run(move |conn| {
            let visible = visible_offices(conn, office)?;
            let base = DossierFilter {
                office_ids: visible.clone(),
                by_due_date: true,
                ..DossierFilter::default()
            };
            let to_assign = dossiers::list(
                conn,
                &DossierFilter {
                    status: Some("received".into()),
                    unassigned: true,
                    ..base.clone()
                },
                0,
                500,
            )?
            .0;
            let to_approve = dossiers::list(
                conn,
                &DossierFilter {
                    status: Some("awaiting_approval".into()),
                    ..base.clone()
                },
                0,
                500,
            )?
            .0;
            let in_progress = dossiers::list(
                conn,
                &DossierFilter {
                    open_only: true,
                    ..base.clone()
                },
                0,
                500,
            )?
            .0
            .into_iter()
            .filter(|r| r.dossier.assignee_id.is_some())
            .collect::<Vec<_>>();
            let officers = User::active_with_role_in(conn, "officer", &visible)?;
            let loads = crate::services::dashboards::work_numbers(
                conn,
                &cal_for_loads,
                &visible,
                None,
                today(),
                0,
            )?
            .officers;
            let month_start = chrono::NaiveDate::from_ymd_opt(
                chrono::Datelike::year(&today()),
                chrono::Datelike::month(&today()),
                1,
            )
            .unwrap_or_else(today);
            let ratings = crate::db::ratings::Rating::between(
                conn,
                &visible,
                crate::services::dossiers::day_start_utc(month_start),
                now_utc() + chrono::Duration::minutes(1),
            )?;
            let names: HashMap<i64, String> = officers
                .iter()
                .map(|u| (u.id, u.full_name.clone()))
                .collect();
            let moved = crate::db::dossiers::calendar_moves_since(
                conn,
                &visible,
                now_utc() - chrono::Duration::days(30),
            )?;
            Ok((
                to_assign,
                to_approve,
                in_progress,
                officers,
                names,
                ratings,
                moved,
                loads,
            ))
        })
        .await?;
    let status = if error.is_empty() && assigned.is_none() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    html(
        status,
        &QueuePage {
            page: Layout::new(req, "Phân công và phê duyệt", Some(&staff.user)),
            picked,
            to_assign: rows(to_assign, &cal, &names),
            to_approve: rows(to_approve, &cal, &names),
            in_progress: rows(in_progress, &cal, &names),
            officers: officers
                .into_iter()
                .map(|u| {
                    let (open, overdue) = loads
                        .iter()
                        .find(|l| l.id == u.id)
                        .map_or((0, 0), |l| (l.open, l.overdue));
                    OfficerChoice {
                        username: u.username,
                        name: u.full_name,
                        load: format!("{open} đang giải quyết, {overdue} quá hạn"),
                    }
                })
                .collect(),
            officer,
            error,
            assigned,
            ratings: crate::web::ratings::summarise(&ratings),
            moved: moved_rows(moved),
        },
    )
}

pub async fn queue(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    queue_page(
        &req,
        &staff,
        &state,
        String::new(),
        String::new(),
        None,
        Vec::new(),
    )
    .await
}

/// Assigns every ticked dossier (`pick` = `code:version`) to one officer,
/// each in its own transaction with its own version check.
pub async fn assign_many(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
    form: CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let mut officer = String::new();
    let mut picks = Vec::new();
    for (k, v) in form.0 {
        match k.as_str() {
            "officer" => officer = v.trim().to_string(),
            "pick" => {
                if let Some((code, version)) = v.rsplit_once(':') {
                    if let Ok(version) = version.parse::<i64>() {
                        picks.push((code.to_string(), version));
                    }
                }
            }
            _ => {}
        }
    }
    let picked: Vec<String> = picks.iter().map(|(c, _)| c.clone()).collect();
    if officer.is_empty() {
        return queue_page(
            &req,
            &staff,
            &state,
            officer,
            "Chọn chuyên viên được phân công.".into(),
            None,
            picked,
        )
        .await;
    }
    if picks.is_empty() {
        return queue_page(
            &req,
            &staff,
            &state,
            officer,
            "Đánh dấu ít nhất một hồ sơ để phân công.".into(),
            None,
            Vec::new(),
        )
        .await;
    }
    let cal = state.calendar().await?;
    let actor = Actor::from(&staff.user);
    let office = staff.user.office_id;
    let chosen = officer.clone();
    let (done, failures) = state
        .db
        .run(move |conn| {
            let visible = visible_offices(conn, office)?;
            let mut done = 0;
            let mut failures = Vec::new();
            for (code, version) in picks {
                let Some(d) = crate::db::dossiers::Dossier::find_by_code(conn, &code)?
                    .filter(|d| visible.contains(&d.office_id))
                else {
                    failures.push(format!("{code}: không tìm thấy"));
                    continue;
                };
                let input = ActionInput {
                    action: "assign".into(),
                    version: Some(version),
                    officer: chosen.clone(),
                    ..ActionInput::default()
                };
                match act(conn, &cal, &actor, d.id, &input, now_utc()) {
                    Ok(_) => done += 1,
                    Err(ActError::Invalid(e)) => {
                        let message = e
                            .iter()
                            .next()
                            .map(|(_, m)| m.to_string())
                            .unwrap_or_default();
                        failures.push(format!("{code}: {message}"));
                    }
                    Err(ActError::Stale(m))
                    | Err(ActError::WrongState(m))
                    | Err(ActError::Forbidden(m)) => failures.push(format!("{code}: {m}")),
                    Err(ActError::Failed(e)) => return Err(e),
                }
            }
            Ok((done, failures))
        })
        .await?;
    if failures.is_empty() {
        push_flash(
            &req.get_session(),
            "success",
            &format!("Đã phân công {done} hồ sơ."),
        );
        return Ok(see_other("/phan-cong"));
    }
    // Failures can be many and long: shown on the page answering this request.
    queue_page(
        &req,
        &staff,
        &state,
        String::new(),
        String::new(),
        Some(Assigned { done, failures }),
        Vec::new(),
    )
    .await
}
