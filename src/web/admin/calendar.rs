//! The calendar administration page: a year as twelve months, its days off and
//! worked weekend days with their source, corrections, and the working week.

use actix_session::Session;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use crate::auth::csrf::CsrfForm;
use crate::auth::session::push_flash;
use crate::auth::Staff;
use crate::domain::calendar::{weekday_name, Calendar, DayKind, RULE_YEARS};
use crate::domain::fields::FieldErrors;
use crate::domain::holidays::rule_sources;
use crate::domain::lunar::solar_to_lunar;
use crate::domain::role::Admins;
use crate::domain::time::{now_utc, today};
use crate::error::ActionError;
use crate::error::AppError;
use crate::services::calendar::{self, DayInput};
use crate::state::AppState;
use crate::web::layout::Layout;
use crate::web::{form_status, html, see_other};

pub struct Cell {
    pub day: u32,
    /// `work`, `weekend`, `holiday` or `swap`.
    pub class: &'static str,
    pub title: String,
}

pub struct Month {
    pub name: String,
    pub weeks: Vec<Vec<Option<Cell>>>,
}

pub struct EntryRow {
    pub date: String,
    pub iso: String,
    pub weekday: &'static str,
    pub lunar: String,
    pub kind: &'static str,
    pub name: String,
}

fn months(cal: &Calendar, year: i32) -> Vec<Month> {
    (1..=12)
        .filter_map(|m| {
            let first = NaiveDate::from_ymd_opt(year, m, 1)?;
            let mut weeks = Vec::new();
            let mut week: Vec<Option<Cell>> = (0..first.weekday().num_days_from_monday())
                .map(|_| None)
                .collect();
            let mut d = first;
            while d.month() == m {
                let (class, title) = match (cal.entry(d), cal.day_off_reason(d)) {
                    (Some(e), None) if e.kind == DayKind::Workday => ("swap", e.name.clone()),
                    (Some(e), Some(_)) => ("holiday", e.name.clone()),
                    (None, Some(r)) => ("weekend", r),
                    _ => ("work", "Ngày làm việc".to_string()),
                };
                week.push(Some(Cell {
                    day: d.day(),
                    class,
                    title,
                }));
                if week.len() == 7 {
                    weeks.push(std::mem::take(&mut week));
                }
                d = d.succ_opt()?;
            }
            if !week.is_empty() {
                while week.len() < 7 {
                    week.push(None);
                }
                weeks.push(week);
            }
            Some(Month {
                name: format!("Tháng {m}"),
                weeks,
            })
        })
        .collect()
}

pub struct UpdateView {
    pub revision: i32,
    pub source: String,
    pub changes: Vec<String>,
}

#[derive(Template)]
#[template(path = "admin/calendar.html")]
struct CalendarPage {
    page: Layout,
    year: i32,
    scheduled: bool,
    source: String,
    months: Vec<Month>,
    entries: Vec<EntryRow>,
    day: DayInput,
    work_week: Vec<(u32, &'static str, bool)>,
    /// A newer official schedule for this year, which an administrator edited.
    update: Option<UpdateView>,
    opens: String,
    closes: String,
    errors: FieldErrors,
}

#[derive(Deserialize)]
pub struct YearQuery {
    year: Option<i32>,
}

async fn render(
    req: &HttpRequest,
    staff: &Staff<Admins>,
    state: &AppState,
    year: i32,
    day: DayInput,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let year = year.clamp(*RULE_YEARS.start(), *RULE_YEARS.end());
    let cal = state.calendar().await?;
    let (record, update) = state
        .db
        .run(move |conn| {
            Ok((
                crate::db::calendar::find_year(conn, year)?,
                calendar::official_update(conn, year)?,
            ))
        })
        .await?;
    let entries = cal
        .entries_in_year(year)
        .into_iter()
        .map(|e| {
            let l = solar_to_lunar(e.date);
            EntryRow {
                date: e.date.format("%d/%m/%Y").to_string(),
                iso: e.date.format("%Y-%m-%d").to_string(),
                weekday: weekday_name(e.date.weekday()),
                lunar: format!(
                    "{}/{}{}",
                    l.day,
                    l.month,
                    if l.leap { " nhuận" } else { "" }
                ),
                kind: e.kind.label(),
                name: e.name,
            }
        })
        .collect();
    let settings = cal.settings().clone();
    let names = [
        "Thứ Hai",
        "Thứ Ba",
        "Thứ Tư",
        "Thứ Năm",
        "Thứ Sáu",
        "Thứ Bảy",
        "Chủ nhật",
    ];
    html(
        form_status(&errors),
        &CalendarPage {
            page: Layout::new(req, "Lịch nghỉ lễ", Some(&staff.user)),
            year,
            scheduled: record.is_some(),
            source: record.map(|r| r.source).unwrap_or_else(|| {
                format!(
                    "Chưa có lịch chính thức: các ngày nghỉ được tính theo quy định. {}.",
                    rule_sources(year).join("; ")
                )
            }),
            update: update.map(|u| UpdateView {
                revision: u.revision,
                source: u.source,
                changes: u.changes.iter().map(|c| c.describe()).collect(),
            }),
            months: months(&cal, year),
            entries,
            day,
            work_week: (1..=7)
                .map(|n| {
                    (
                        n,
                        names[(n - 1) as usize],
                        settings.work_week[(n - 1) as usize],
                    )
                })
                .collect(),
            opens: settings.opens.format("%H:%M").to_string(),
            closes: settings.closes.format("%H:%M").to_string(),
            errors,
        },
    )
}

#[get("/admin/calendar")]
pub async fn show(
    req: HttpRequest,
    staff: Staff<Admins>,
    state: web::Data<AppState>,
    query: web::Query<YearQuery>,
) -> Result<HttpResponse, AppError> {
    let year = query.year.unwrap_or_else(|| today().year());
    render(
        &req,
        &staff,
        &state,
        year,
        DayInput {
            kind: "holiday".into(),
            ..Default::default()
        },
        FieldErrors::new(),
    )
    .await
}

fn back(year: i32) -> HttpResponse {
    see_other(&format!("/admin/calendar?year={year}"))
}

#[derive(Deserialize)]
pub struct DayForm {
    #[serde(default)]
    date: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    year: Option<i32>,
}

#[post("/admin/calendar/days")]
pub async fn put_day(
    req: HttpRequest,
    staff: Staff<Admins>,
    state: web::Data<AppState>,
    session: Session,
    CsrfForm(form): CsrfForm<DayForm>,
) -> Result<HttpResponse, AppError> {
    let input = DayInput {
        date: form.date.clone(),
        kind: form.kind.clone(),
        name: form.name.clone(),
    };
    let actor = staff.username.clone();
    let to_save = input.clone();
    let result = state
        .db
        .run(move |conn| Ok(calendar::put_day(conn, &actor, &to_save, now_utc())))
        .await?;
    match result {
        Ok(date) => {
            push_flash(
                &session,
                "success",
                &format!("Đã ghi ngày {} vào lịch.", date.format("%d/%m/%Y")),
            );
            Ok(back(date.year()))
        }
        Err(ActionError::Invalid(errors)) => {
            let year = form.year.unwrap_or_else(|| today().year());
            render(&req, &staff, &state, year, input, errors).await
        }
        Err(ActionError::Failed(e)) => Err(e),
    }
}

#[derive(Deserialize)]
pub struct DeleteForm {
    date: NaiveDate,
}

#[post("/admin/calendar/days/delete")]
pub async fn delete_day(
    staff: Staff<Admins>,
    state: web::Data<AppState>,
    session: Session,
    CsrfForm(form): CsrfForm<DeleteForm>,
) -> Result<HttpResponse, AppError> {
    let actor = staff.username.clone();
    let date = form.date;
    let result = state
        .db
        .run(move |conn| Ok(calendar::delete_day(conn, &actor, date, now_utc())))
        .await?;
    match result {
        Ok(()) => push_flash(
            &session,
            "success",
            &format!("Đã bỏ ngày {} khỏi lịch.", date.format("%d/%m/%Y")),
        ),
        Err(ActionError::Invalid(e)) => push_flash(
            &session,
            "error",
            e.iter()
                .next()
                .map(|(_, m)| m)
                .unwrap_or("Không bỏ được ngày này."),
        ),
        Err(ActionError::Failed(e)) => return Err(e),
    }
    Ok(back(date.year()))
}

#[derive(Deserialize)]
pub struct YearForm {
    year: i32,
    #[serde(default)]
    source: String,
}

/// Flashes the outcome of a year action and goes back to that year.
fn year_outcome(
    session: &Session,
    year: i32,
    result: Result<(), ActionError>,
    success: &str,
) -> Result<HttpResponse, AppError> {
    match result {
        Ok(()) => push_flash(session, "success", success),
        Err(ActionError::Invalid(e)) => push_flash(
            session,
            "error",
            e.iter().next().map(|(_, m)| m).unwrap_or(""),
        ),
        Err(ActionError::Failed(e)) => return Err(e),
    }
    Ok(back(year))
}

#[post("/admin/calendar/years")]
pub async fn adopt_year(
    staff: Staff<Admins>,
    state: web::Data<AppState>,
    session: Session,
    CsrfForm(form): CsrfForm<YearForm>,
) -> Result<HttpResponse, AppError> {
    let (actor, year) = (staff.username.clone(), form.year);
    let result = state
        .db
        .run(move |conn| {
            Ok(calendar::adopt_year(
                conn,
                &actor,
                year,
                &form.source,
                now_utc(),
            ))
        })
        .await?;
    let done = format!("Đã ghi nhận lịch năm {year}; hãy sửa theo thông báo chính thức.");
    year_outcome(&session, year, result, &done)
}

#[derive(Deserialize)]
pub struct OfficialForm {
    year: i32,
}

type YearChange =
    fn(&mut crate::db::DbConnection, &str, i32, chrono::NaiveDateTime) -> Result<(), ActionError>;

/// Runs a change of a whole year for the signed-in administrator, flashes its outcome.
async fn change_year(
    staff: &Staff<Admins>,
    state: &AppState,
    session: &Session,
    year: i32,
    change: YearChange,
    done: &str,
) -> Result<HttpResponse, AppError> {
    let actor = staff.username.clone();
    let result = state
        .db
        .run(move |conn| Ok(change(conn, &actor, year, now_utc())))
        .await?;
    year_outcome(session, year, result, done)
}

/// Replaces an edited year with the newer official schedule.
#[post("/admin/calendar/years/official")]
pub async fn adopt_official(
    staff: Staff<Admins>,
    state: web::Data<AppState>,
    session: Session,
    CsrfForm(form): CsrfForm<OfficialForm>,
) -> Result<HttpResponse, AppError> {
    let year = form.year;
    let done = format!(
        "Đã áp dụng lịch chính thức năm {year}; hạn trả của các hồ sơ đang giải quyết đã được tính lại."
    );
    change_year(
        &staff,
        &state,
        &session,
        year,
        calendar::adopt_official,
        &done,
    )
    .await
}

/// Keeps an edited year, marking the newer official schedule as seen.
#[post("/admin/calendar/years/keep")]
pub async fn keep_edited(
    staff: Staff<Admins>,
    state: web::Data<AppState>,
    session: Session,
    CsrfForm(form): CsrfForm<OfficialForm>,
) -> Result<HttpResponse, AppError> {
    let year = form.year;
    let done = format!("Đã giữ lịch năm {year} như đã sửa.");
    change_year(&staff, &state, &session, year, calendar::keep_edited, &done).await
}

#[post("/admin/calendar/years/source")]
pub async fn year_source(
    staff: Staff<Admins>,
    state: web::Data<AppState>,
    session: Session,
    CsrfForm(form): CsrfForm<YearForm>,
) -> Result<HttpResponse, AppError> {
    let (actor, year) = (staff.username.clone(), form.year);
    let result = state
        .db
        .run(move |conn| {
            Ok(calendar::set_year_source(
                conn,
                &actor,
                year,
                &form.source,
                now_utc(),
            ))
        })
        .await?;
    year_outcome(&session, year, result, "Đã lưu căn cứ của lịch năm.")
}

#[post("/admin/calendar/settings")]
pub async fn save_settings(
    req: HttpRequest,
    staff: Staff<Admins>,
    state: web::Data<AppState>,
    session: Session,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let get = |k: &str| {
        fields
            .iter()
            .find(|(f, _)| f == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let week: Vec<u32> = fields
        .iter()
        .filter(|(f, _)| f == "work_week")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let (opens, closes) = (get("opens"), get("closes"));
    let year = get("year").parse().unwrap_or_else(|_| today().year());
    let actor = staff.username.clone();
    let result = state
        .db
        .run(move |conn| {
            Ok(calendar::set_settings(
                conn,
                &actor,
                &week,
                &opens,
                &closes,
                now_utc(),
            ))
        })
        .await?;
    match result {
        Ok(_) => {
            push_flash(&session, "success", "Đã lưu ngày và giờ làm việc.");
            Ok(back(year))
        }
        Err(ActionError::Invalid(errors)) => {
            render(
                &req,
                &staff,
                &state,
                year,
                DayInput {
                    kind: "holiday".into(),
                    ..Default::default()
                },
                errors,
            )
            .await
        }
        Err(ActionError::Failed(e)) => Err(e),
    }
}
