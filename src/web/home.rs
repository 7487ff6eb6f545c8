//! The staff home page: each role's work for today, counted, each count
//! linking to its list; for leaders and supervisors, the offices' numbers
//! and charts.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::Datelike;

use super::charts::{bars, rows, Bar};
use super::layout::Layout;
use crate::auth::extract::CurrentUser;
use crate::auth::Staff;
use crate::domain::report::format_rate;
use crate::domain::time::{format_date, today};
use crate::domain::Role;
use crate::error::AppError;
use crate::services::dashboards::{
    self, CounterHome, OfficeNumbers, OfficerLoad, OpenNumbers, Overview, POSTAL_TOO_LONG_DAYS,
};
use crate::services::reports;
use crate::state::AppState;

/// An office's line in the overview table.
pub struct OfficeLine {
    pub code: String,
    pub name: String,
    pub received_month: i64,
    pub received_year: i64,
    pub resolved_month: i64,
    pub resolved_year: i64,
    pub rate_month: String,
    pub rate_year: String,
    pub overdue_now: i64,
}

impl OfficeLine {
    fn of(o: &OfficeNumbers) -> OfficeLine {
        OfficeLine {
            code: o.code.clone(),
            name: o.name.clone(),
            received_month: o.received_month,
            received_year: o.received_year,
            resolved_month: o.resolved_month,
            resolved_year: o.resolved_year,
            rate_month: format_rate(o.rate_month()),
            rate_year: format_rate(o.rate_year()),
            overdue_now: o.overdue_now,
        }
    }
}

/// The overview's table and charts.
pub struct OverviewView {
    pub offices: Vec<OfficeLine>,
    pub total: OfficeLine,
    pub chart_rate: String,
    pub chart_channels: String,
    pub chart_overdue: String,
    pub year: i32,
    pub month: u32,
}

fn overview_view(o: &Overview) -> OverviewView {
    let t = today();
    let rate_bars: Vec<Bar> = o
        .months
        .iter()
        .map(|m| {
            let rate = (m.resolved > 0).then(|| m.on_time as f64 / m.resolved as f64);
            Bar {
                label: format!("T{}", m.month),
                value: rate.unwrap_or(0.0),
                text: rate
                    .map(|r| format!("{:.0}%", r * 100.0))
                    .unwrap_or_else(|| "—".into()),
            }
        })
        .collect();
    let (counter, postal, online) = o.months.iter().fold((0, 0, 0), |acc, m| {
        (acc.0 + m.counter, acc.1 + m.postal, acc.2 + m.online)
    });
    let channel_bars = vec![
        Bar {
            label: "Trực tiếp".into(),
            value: counter as f64,
            text: counter.to_string(),
        },
        Bar {
            label: "Bưu chính".into(),
            value: postal as f64,
            text: postal.to_string(),
        },
        Bar {
            label: "Trực tuyến".into(),
            value: online as f64,
            text: online.to_string(),
        },
    ];
    let overdue_bars: Vec<Bar> = o
        .offices
        .iter()
        .map(|x| Bar {
            label: x.name.clone(),
            value: x.overdue_now as f64,
            text: x.overdue_now.to_string(),
        })
        .collect();
    OverviewView {
        offices: o.offices.iter().map(OfficeLine::of).collect(),
        total: OfficeLine::of(&o.total),
        chart_rate: bars(
            &format!("Tỷ lệ giải quyết đúng hạn theo tháng, năm {}", t.year()),
            &rate_bars,
            Some(1.0),
            560,
            200,
        ),
        chart_channels: bars(
            &format!("Hồ sơ tiếp nhận theo hình thức nộp, năm {}", t.year()),
            &channel_bars,
            None,
            360,
            200,
        ),
        chart_overdue: rows("Hồ sơ quá hạn hiện nay theo đơn vị", &overdue_bars, 560),
        year: t.year(),
        month: t.month(),
    }
}

#[derive(Template)]
#[template(path = "home/index.html")]
struct HomePage {
    page: Layout,
    user: CurrentUser,
    today: String,
    counter: Option<CounterHome>,
    postal_days: i64,
    work: Option<OpenNumbers>,
    soon_days: u32,
    at_risk: Option<usize>,
    officers: Vec<OfficerLoad>,
    overview: Option<OverviewView>,
    /// Links for the role's pages (administrators, and everyone below the numbers).
    links: bool,
}

/// "Due soon" on the home pages: within this many working days.
const SOON_DAYS: u32 = 2;

/// `/`: the citizens' front door, or a signed-in user's home page.
pub async fn home(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    if crate::auth::extract::session_user(&req).await?.is_none() {
        return super::status::front_door(&req, &state).await;
    }
    // A public route: the staff member is admitted here, as the access check would.
    let user = crate::auth::extract::admit_page(&req, &crate::domain::Role::ALL).await?;
    staff_home(req, Staff { user }, state).await
}

async fn staff_home(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let user = staff.user.clone();
    let role = user.role;
    let mut page = HomePage {
        page: Layout::new(&req, "Trang chủ", Some(&staff.user)),
        user: user.clone(),
        today: format_date(today()),
        counter: None,
        postal_days: POSTAL_TOO_LONG_DAYS,
        work: None,
        soon_days: SOON_DAYS,
        at_risk: None,
        officers: Vec::new(),
        overview: None,
        links: true,
    };
    if role == Role::Admin {
        return super::html(actix_web::http::StatusCode::OK, &page);
    }
    let cal = state.calendar().await?;
    let office = user.office_id;
    let scope = state
        .db
        .run(move |conn| reports::scope(conn, office, None))
        .await?
        .ok_or(AppError::NotFound)?;
    let ids = scope.ids();
    let scope = std::sync::Arc::new(scope);
    let overview = if matches!(role, Role::Leader | Role::Supervisor) {
        Some(state.overview(scope.clone()).await?)
    } else {
        None
    };
    let at_risk = if role == Role::Leader {
        Some(state.at_risk_count(ids.clone(), cal.clone()).await?)
    } else {
        None
    };
    let user_id = user.id;
    let (counter, work) = state
        .db
        .run(move |conn| {
            let t = today();
            Ok(match role {
                Role::Reception => (Some(dashboards::counter_home(conn, &ids)?), None),
                Role::Officer => (
                    None,
                    Some(dashboards::work_numbers(
                        conn,
                        &cal,
                        &ids,
                        Some(user_id),
                        t,
                        SOON_DAYS,
                    )?),
                ),
                _ => (
                    None,
                    Some(dashboards::work_numbers(
                        conn, &cal, &ids, None, t, SOON_DAYS,
                    )?),
                ),
            })
        })
        .await?;
    page.counter = counter;
    if let (Some(o), Some(w)) = (&overview, &work) {
        // The month and year numbers may be a minute old; overdue is live.
        let mut o = (**o).clone();
        o.set_overdue(&w.by_office_overdue);
        page.overview = Some(overview_view(&o));
    }
    if let Some(w) = work {
        page.work = Some(w.all);
        if role == Role::Leader {
            page.officers = w.officers;
        }
    }
    page.at_risk = at_risk;
    super::html(actix_web::http::StatusCode::OK, &page)
}
