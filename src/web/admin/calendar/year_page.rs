//! A year as twelve months, its days off and worked weekend days with their source.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use crate::auth::Staff;
use crate::domain::calendar::{weekday_name, Calendar, DayKind, RULE_YEARS};
use crate::domain::fields::FieldErrors;
use crate::domain::holidays::rule_sources;
use crate::domain::lunar::solar_to_lunar;
use crate::domain::time::today;
use crate::error::AppError;
use crate::services::calendar::{self, DayInput};
use crate::state::AppState;
use crate::web::layout::Layout;
use crate::web::{form_status, html};

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

pub(super) async fn render(
    req: &HttpRequest,
    staff: &Staff,
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

pub async fn show(
    req: HttpRequest,
    staff: Staff,
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
