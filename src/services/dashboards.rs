//! The numbers each role's home page opens with: what to do today, counted
//! by the database over indexes (open dossiers, a year's receptions and
//! decisions by month).

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;

use crate::db::reports::{self, OpenCount};
use crate::db::schema::dossiers;
use crate::db::users::User;
use crate::db::DbConnection;
use crate::domain::calendar::Calendar;
use crate::domain::report::Period;
use crate::domain::time::now_utc;
use crate::error::AppError;
use crate::services::reports::{at_risk, Medians, Scope};

/// A result shipped this many days ago and not yet delivered is flagged.
pub const POSTAL_TOO_LONG_DAYS: i64 = 10;

/// The counter's day: results to hand over, post, supplements due back.
#[derive(Debug, Clone, Default)]
pub struct CounterHome {
    pub results_waiting: i64,
    pub returned_by_post: i64,
    pub in_transit: i64,
    pub in_transit_too_long: i64,
    pub awaiting_supplement: i64,
}

fn count_status(conn: &mut DbConnection, offices: &[i64], status: &str) -> Result<i64, AppError> {
    Ok(dossiers::table
        .filter(dossiers::office_id.eq_any(offices.to_vec()))
        .filter(dossiers::status.eq(status))
        .filter(dossiers::voided.eq(false))
        .count()
        .get_result(conn)?)
}

pub fn counter_home(conn: &mut DbConnection, offices: &[i64]) -> Result<CounterHome, AppError> {
    let too_long = now_utc() - chrono::Duration::days(POSTAL_TOO_LONG_DAYS);
    Ok(CounterHome {
        results_waiting: count_status(conn, offices, "result_ready")?,
        returned_by_post: dossiers::table
            .filter(dossiers::office_id.eq_any(offices.to_vec()))
            .filter(dossiers::status.eq("result_ready"))
            .filter(dossiers::postal_returns.gt(0))
            .filter(dossiers::voided.eq(false))
            .count()
            .get_result(conn)?,
        in_transit: count_status(conn, offices, "in_transit")?,
        in_transit_too_long: dossiers::table
            .filter(dossiers::office_id.eq_any(offices.to_vec()))
            .filter(dossiers::status.eq("in_transit"))
            .filter(dossiers::updated_at.lt(too_long))
            .filter(dossiers::voided.eq(false))
            .count()
            .get_result(conn)?,
        awaiting_supplement: count_status(conn, offices, "awaiting_supplement")?,
    })
}

/// Open dossiers and how late they run, from the open counts.
#[derive(Debug, Clone, Default)]
pub struct OpenNumbers {
    pub open: i64,
    pub overdue: i64,
    /// Due today up to the "due soon" horizon, not overdue.
    pub due_soon: i64,
    pub to_assign: i64,
    pub to_approve: i64,
}

/// One officer's current load.
#[derive(Debug, Clone)]
pub struct OfficerLoad {
    pub id: i64,
    pub name: String,
    pub open: i64,
    pub overdue: i64,
}

/// Open, overdue and due-soon counts of `offices`, for everyone or for one
/// officer, with each officer's load.
pub struct WorkNumbers {
    pub all: OpenNumbers,
    pub officers: Vec<OfficerLoad>,
    pub by_office_overdue: BTreeMap<i64, i64>,
}

pub fn work_numbers(
    conn: &mut DbConnection,
    cal: &Calendar,
    offices: &[i64],
    officer: Option<i64>,
    today: NaiveDate,
    soon_days: u32,
) -> Result<WorkNumbers, AppError> {
    let soon_until = cal.nth_working_day_after(today, soon_days);
    let keep = |c: &OpenCount| officer.is_none() || c.assignee_id == officer;
    let open = reports::open_counts(conn, offices, None)?;
    let overdue = reports::open_counts(conn, offices, Some(today))?;
    let due_by_soon = reports::open_counts(conn, offices, soon_until.succ_opt())?;
    let mut all = OpenNumbers::default();
    let mut loads: HashMap<i64, (i64, i64)> = HashMap::new();
    let mut by_office_overdue = BTreeMap::new();
    for c in open.iter().filter(|c| keep(c)) {
        all.open += c.n;
        if c.status == "received" && c.assignee_id.is_none() {
            all.to_assign += c.n;
        }
        if c.status == "awaiting_approval" {
            all.to_approve += c.n;
        }
        if let Some(a) = c.assignee_id {
            loads.entry(a).or_default().0 += c.n;
        }
    }
    for c in overdue.iter().filter(|c| keep(c)) {
        all.overdue += c.n;
        *by_office_overdue.entry(c.office_id).or_insert(0) += c.n;
        if let Some(a) = c.assignee_id {
            loads.entry(a).or_default().1 += c.n;
        }
    }
    all.due_soon = due_by_soon
        .iter()
        .filter(|c| keep(c))
        .map(|c| c.n)
        .sum::<i64>()
        - all.overdue;
    let people = User::active_with_role_in(conn, "officer", offices)?;
    let mut officers: Vec<OfficerLoad> = people
        .into_iter()
        .filter(|u| officer.is_none() || Some(u.id) == officer)
        .map(|u| {
            let (open, overdue) = loads.get(&u.id).copied().unwrap_or_default();
            OfficerLoad {
                id: u.id,
                name: u.full_name,
                open,
                overdue,
            }
        })
        .collect();
    officers.sort_by(|a, b| b.overdue.cmp(&a.overdue).then(b.open.cmp(&a.open)));
    Ok(WorkNumbers {
        all,
        officers,
        by_office_overdue,
    })
}

/// How many open dossiers are at risk (see [`at_risk`]).
pub fn at_risk_count(
    conn: &mut DbConnection,
    cal: &Calendar,
    offices: &[i64],
    medians: &Medians,
    today: NaiveDate,
) -> Result<usize, AppError> {
    Ok(at_risk(conn, cal, offices, medians, today, 0)?.1)
}

/// An office's numbers for this month and this year.
#[derive(Debug, Clone, Default)]
pub struct OfficeNumbers {
    pub office_id: i64,
    pub code: String,
    pub name: String,
    pub received_month: i64,
    pub received_year: i64,
    pub resolved_month: i64,
    pub resolved_year: i64,
    pub on_time_month: i64,
    pub on_time_year: i64,
    pub overdue_now: i64,
}

impl OfficeNumbers {
    pub fn rate_month(&self) -> Option<f64> {
        (self.resolved_month > 0).then(|| self.on_time_month as f64 / self.resolved_month as f64)
    }

    pub fn rate_year(&self) -> Option<f64> {
        (self.resolved_year > 0).then(|| self.on_time_year as f64 / self.resolved_year as f64)
    }

    fn add(&mut self, o: &OfficeNumbers) {
        self.received_month += o.received_month;
        self.received_year += o.received_year;
        self.resolved_month += o.resolved_month;
        self.resolved_year += o.resolved_year;
        self.on_time_month += o.on_time_month;
        self.on_time_year += o.on_time_year;
        self.overdue_now += o.overdue_now;
    }
}

/// A month of the year so far: resolved, of which on time; received by channel.
#[derive(Debug, Clone, Default)]
pub struct MonthNumbers {
    pub month: u32,
    pub resolved: i64,
    pub on_time: i64,
    pub counter: i64,
    pub postal: i64,
    pub online: i64,
}

/// The supervisor's (and the leader's) overview of a scope.
#[derive(Debug, Clone)]
pub struct Overview {
    pub offices: Vec<OfficeNumbers>,
    pub total: OfficeNumbers,
    pub months: Vec<MonthNumbers>,
}

impl Overview {
    /// Puts in the overdue counts of now (by office id).
    pub fn set_overdue(&mut self, by_office: &BTreeMap<i64, i64>) {
        self.total.overdue_now = 0;
        for o in &mut self.offices {
            o.overdue_now = by_office.get(&o.office_id).copied().unwrap_or(0);
            self.total.overdue_now += o.overdue_now;
        }
    }
}

pub fn overview(
    conn: &mut DbConnection,
    scope: &Scope,
    today: NaiveDate,
) -> Result<Overview, AppError> {
    let ids = scope.ids();
    let year = Period::year_of(today);
    let this_month = format!("{:04}-{:02}", today.year(), today.month());
    let received = reports::received_by_month(conn, &ids, year)?;
    let resolved = reports::resolved_by_month(conn, &ids, year)?;
    let overdue = reports::open_counts(conn, &ids, Some(today))?;
    let mut offices: Vec<OfficeNumbers> = scope
        .offices
        .iter()
        .map(|o| OfficeNumbers {
            office_id: o.id,
            code: o.code.clone(),
            name: o.name.clone(),
            ..OfficeNumbers::default()
        })
        .collect();
    let mut months: Vec<MonthNumbers> = (1..=today.month())
        .map(|m| MonthNumbers {
            month: m,
            ..MonthNumbers::default()
        })
        .collect();
    let month_index = |m: &str| -> Option<usize> {
        m.get(5..7)
            .and_then(|x| x.parse::<usize>().ok())
            .map(|x| x.saturating_sub(1))
    };
    for r in &received {
        if let Some(o) = offices.iter_mut().find(|o| o.office_id == r.office_id) {
            o.received_year += r.n;
            if r.month == this_month {
                o.received_month += r.n;
            }
        }
        if let Some(m) = month_index(&r.month).and_then(|i| months.get_mut(i)) {
            match r.key.as_deref() {
                Some("online") => m.online += r.n,
                Some("counter") => m.counter += r.n,
                _ => m.postal += r.n,
            }
        }
    }
    for r in &resolved {
        let on_time = matches!(r.key.as_deref(), Some("early") | Some("on_time"));
        if let Some(o) = offices.iter_mut().find(|o| o.office_id == r.office_id) {
            o.resolved_year += r.n;
            if on_time {
                o.on_time_year += r.n;
            }
            if r.month == this_month {
                o.resolved_month += r.n;
                if on_time {
                    o.on_time_month += r.n;
                }
            }
        }
        if let Some(m) = month_index(&r.month).and_then(|i| months.get_mut(i)) {
            m.resolved += r.n;
            if on_time {
                m.on_time += r.n;
            }
        }
    }
    for c in &overdue {
        if let Some(o) = offices.iter_mut().find(|o| o.office_id == c.office_id) {
            o.overdue_now += c.n;
        }
    }
    let mut total = OfficeNumbers {
        name: "Tổng cộng".into(),
        ..OfficeNumbers::default()
    };
    for o in &offices {
        total.add(o);
    }
    Ok(Overview {
        offices,
        total,
        months,
    })
}
