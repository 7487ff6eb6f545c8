//! A dossier in a work list: its due date, working days left, overdue or due soon.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::db::dossiers::DossierRow;
use crate::domain::calendar::Calendar;
use crate::domain::dossier::Status;
use crate::domain::time::{format_date, format_datetime, today};

/// A dossier in a work list.
pub struct WorkRow {
    pub code: String,
    pub version: i32,
    pub applicant: String,
    pub procedure: String,
    pub status: &'static str,
    pub received_at: String,
    pub due_date: String,
    /// "overdue", "soon" or "".
    pub urgency: &'static str,
    pub assignee: String,
}

/// Working days from today until `due` (0 when due today).
pub(super) fn working_days_left(cal: &Calendar, today: NaiveDate, due: NaiveDate) -> i64 {
    let mut n = 0;
    let mut d = today;
    while d < due && n < 30 {
        d = d.succ_opt().unwrap_or(due);
        if cal.day_off_reason(d).is_none() {
            n += 1;
        }
    }
    n
}

/// Due within this many working days: marked "sắp đến hạn".
pub(super) const SOON: i64 = 2;

pub(super) fn rows(
    list: Vec<DossierRow>,
    cal: &Calendar,
    names: &HashMap<i64, String>,
) -> Vec<WorkRow> {
    let today = today();
    list.into_iter()
        .map(|r| {
            let x = r.dossier;
            let status = Status::parse(&x.status).unwrap_or(Status::Received);
            let urgency = match x.due_date {
                Some(due) if status.is_open() && today > due => "overdue",
                Some(due) if status.is_open() && today == due => "today",
                Some(due) if status.is_open() && working_days_left(cal, today, due) <= SOON => {
                    "soon"
                }
                _ => "",
            };
            WorkRow {
                code: x.code,
                version: x.version,
                applicant: x.applicant_name,
                procedure: r.procedure_name,
                status: status.label(),
                received_at: format_datetime(x.received_at),
                due_date: x
                    .due_date
                    .map(format_date)
                    .unwrap_or_else(|| "(chờ bổ sung)".into()),
                urgency,
                assignee: x
                    .assignee_id
                    .and_then(|a| names.get(&a).cloned())
                    .unwrap_or_default(),
            }
        })
        .collect()
}
