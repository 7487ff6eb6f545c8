//! What supervisors and leaders act on: the overdue and due-soon list, the
//! dossiers at risk, the home pages' numbers and the period report.

use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDate, NaiveDateTime};

use crate::db::dossiers::{Dossier, DossierFilter, DossierRow};
use crate::db::offices::Office;
use crate::db::procedures::Procedure;
use crate::db::reports::{self, satisfaction_of};
use crate::db::schema::{dossier_events, dossier_supplements, dossiers};
use crate::db::users::User;
use crate::db::DbConnection;
use crate::domain::calendar::Calendar;
use crate::domain::dossier::decided_timeliness;
use crate::domain::report::{median, Period, PeriodCounts, Satisfaction};
use crate::domain::time::to_local;
use crate::error::AppError;

/// The offices a report covers: `root` and every office below it, that the
/// user may see. `None` when `root` is outside what the user sees.
pub struct Scope {
    pub root: Office,
    pub offices: Vec<Office>,
}

impl Scope {
    pub fn ids(&self) -> Vec<i64> {
        self.offices.iter().map(|o| o.id).collect()
    }

    pub fn name_of(&self, id: i64) -> String {
        self.offices
            .iter()
            .find(|o| o.id == id)
            .map(|o| o.name.clone())
            .unwrap_or_default()
    }
}

/// The scope of `chosen` (an office code), or of the user's own office.
pub fn scope(
    conn: &mut DbConnection,
    user_office: i64,
    chosen: Option<&str>,
) -> Result<Option<Scope>, AppError> {
    let visible = Office::subtree_ids(conn, user_office)?;
    let root = match chosen.map(str::trim).filter(|c| !c.is_empty()) {
        Some(code) => match Office::find_by_code(conn, code)? {
            Some(o) if visible.contains(&o.id) => o,
            _ => return Ok(None),
        },
        None => Office::find(conn, user_office)?,
    };
    let ids = Office::subtree_ids(conn, root.id)?;
    let mut offices: Vec<Office> = Office::all(conn)?
        .into_iter()
        .filter(|o| ids.contains(&o.id))
        .collect();
    // The root first, then the others by code.
    offices.sort_by(|a, b| (a.id != root.id, &a.code).cmp(&(b.id != root.id, &b.code)));
    Ok(Some(Scope { root, offices }))
}

/// Which open dossiers a due list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueKind {
    /// Overdue and due within the chosen number of working days.
    OverdueAndSoon,
    Overdue,
    Soon,
    /// Waiting for a supplement, since when.
    Supplement,
    /// Results the post brought back, since when.
    ReturnedByPost,
}

impl DueKind {
    pub fn parse(s: &str) -> Option<DueKind> {
        Some(match s {
            "" | "all" => DueKind::OverdueAndSoon,
            "overdue" => DueKind::Overdue,
            "soon" => DueKind::Soon,
            "supplement" => DueKind::Supplement,
            "returned" => DueKind::ReturnedByPost,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DueKind::OverdueAndSoon => "all",
            DueKind::Overdue => "overdue",
            DueKind::Soon => "soon",
            DueKind::Supplement => "supplement",
            DueKind::ReturnedByPost => "returned",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DueKind::OverdueAndSoon => "Quá hạn và sắp đến hạn",
            DueKind::Overdue => "Quá hạn",
            DueKind::Soon => "Sắp đến hạn (chưa quá hạn)",
            DueKind::Supplement => "Chờ bổ sung hồ sơ",
            DueKind::ReturnedByPost => "Bưu điện trả lại kết quả",
        }
    }

    pub const ALL: [DueKind; 5] = [
        DueKind::OverdueAndSoon,
        DueKind::Overdue,
        DueKind::Soon,
        DueKind::Supplement,
        DueKind::ReturnedByPost,
    ];
}

/// What a due list is asked for.
#[derive(Debug, Clone)]
pub struct DueQuery {
    pub kind: DueKind,
    /// "Due soon": within this many working days (0: due today).
    pub soon_days: u32,
    pub offices: Vec<i64>,
    pub office: Option<i64>,
    pub officer: Option<i64>,
    /// Only dossiers not yet assigned (the "(chưa phân công)" tally).
    pub unassigned: bool,
    /// The list is an officer's own: the counts cover his dossiers only.
    pub own_only: bool,
    pub procedure: Option<i64>,
    pub status: Option<String>,
    pub today: NaiveDate,
}

/// One line of a due list.
pub struct DueRow {
    pub row: DossierRow,
    /// The assigned officer's full name (pages) and username (the API).
    pub assignee: Option<String>,
    pub assignee_username: Option<String>,
    /// Working days past the due date (0: due today; negative: days left).
    pub late_days: Option<i64>,
    /// Since when it waits (a supplement, a result back from the post).
    pub since: Option<NaiveDateTime>,
}

/// A count shown at the top of a list, with the filter value it links to.
pub struct Tally {
    pub id: Option<i64>,
    /// The list filter's value that narrows to it (an office or procedure
    /// code, an officer's id).
    pub key: String,
    pub label: String,
    pub n: i64,
}

pub struct DueList {
    pub rows: Vec<DueRow>,
    pub total: i64,
    pub by_office: Vec<Tally>,
    pub by_officer: Vec<Tally>,
    pub by_procedure: Vec<Tally>,
    /// The last day counted as "due soon".
    pub soon_until: NaiveDate,
}

fn due_filter(cal: &Calendar, q: &DueQuery, narrow: bool) -> (DossierFilter, NaiveDate) {
    let soon_until = cal.nth_working_day_after(q.today, q.soon_days);
    let mut f = DossierFilter {
        office_ids: q.offices.clone(),
        open_only: true,
        by_due_date: true,
        ..DossierFilter::default()
    };
    match q.kind {
        DueKind::OverdueAndSoon => f.due_on_or_before = Some(soon_until),
        DueKind::Overdue => f.overdue_as_of = Some(q.today),
        DueKind::Soon => {
            f.due_on_or_before = Some(soon_until);
            f.due_from = Some(q.today);
        }
        DueKind::Supplement => f.status = Some("awaiting_supplement".into()),
        DueKind::ReturnedByPost => {
            f.open_only = false;
            f.returned_by_post = true;
        }
    }
    if q.own_only {
        f.assignee_id = q.officer;
    }
    if narrow {
        if let Some(o) = q.office {
            f.office_ids.retain(|id| *id == o);
        }
        f.assignee_id = q.officer;
        f.unassigned = q.unassigned;
        f.procedure_id = q.procedure;
        if q.kind != DueKind::Supplement && q.kind != DueKind::ReturnedByPost {
            if let Some(s) = &q.status {
                f.status = Some(s.clone());
            }
        }
    }
    (f, soon_until)
}

/// One page of a due list (most late first) with its counts.
pub fn due_list(
    conn: &mut DbConnection,
    cal: &Calendar,
    q: &DueQuery,
    offset: i64,
    limit: i64,
) -> Result<DueList, AppError> {
    let (f, soon_until) = due_filter(cal, q, true);
    let (page, total) = Dossier::list(conn, &f, offset, limit)?;
    // The counts cover the kind in the whole scope; each narrows the list.
    let (all, _) = due_filter(cal, q, false);
    let groups = Dossier::group_counts(conn, &all)?;
    let mut offices: BTreeMap<i64, i64> = BTreeMap::new();
    let mut officers: BTreeMap<Option<i64>, i64> = BTreeMap::new();
    let mut procedures: BTreeMap<i64, i64> = BTreeMap::new();
    for ((office, officer, procedure), n) in &groups {
        *offices.entry(*office).or_default() += n;
        *officers.entry(*officer).or_default() += n;
        *procedures.entry(*procedure).or_default() += n;
    }
    let mut user_ids: Vec<i64> = officers.keys().flatten().copied().collect();
    user_ids.extend(page.iter().filter_map(|r| r.dossier.assignee_id));
    user_ids.sort_unstable();
    user_ids.dedup();
    let people = User::names(conn, &user_ids)?;
    let names: HashMap<i64, String> = people
        .iter()
        .map(|(id, _, full)| (*id, full.clone()))
        .collect();
    let usernames: HashMap<i64, String> = people
        .into_iter()
        .map(|(id, username, _)| (id, username))
        .collect();
    let office_names: HashMap<i64, (String, String)> = Office::all(conn)?
        .into_iter()
        .map(|o| (o.id, (o.code, o.name)))
        .collect();
    let procedure_names: HashMap<i64, (String, String)> = Procedure::all(conn)?
        .into_iter()
        .map(|p| (p.id, (p.code, p.name)))
        .collect();
    let ids: Vec<i64> = page.iter().map(|r| r.dossier.id).collect();
    let since = match q.kind {
        DueKind::Supplement => supplement_since(conn, &ids)?,
        DueKind::ReturnedByPost => returned_since(conn, &ids)?,
        _ => HashMap::new(),
    };
    let rows = page
        .into_iter()
        .map(|row| DueRow {
            assignee: row.dossier.assignee_id.and_then(|a| names.get(&a).cloned()),
            assignee_username: row
                .dossier
                .assignee_id
                .and_then(|a| usernames.get(&a).cloned()),
            late_days: row
                .dossier
                .due_date
                .map(|due| cal.signed_working_days(due, q.today)),
            since: since.get(&row.dossier.id).copied(),
            row,
        })
        .collect();
    let tally = |m: BTreeMap<i64, i64>, names: &HashMap<i64, (String, String)>| {
        let mut v: Vec<Tally> = m
            .into_iter()
            .map(|(id, n)| {
                let (key, label) = names.get(&id).cloned().unwrap_or_default();
                Tally {
                    id: Some(id),
                    key,
                    label,
                    n,
                }
            })
            .collect();
        v.sort_by(|a, b| b.n.cmp(&a.n).then(a.label.cmp(&b.label)));
        v
    };
    let mut by_officer: Vec<Tally> = officers
        .into_iter()
        .map(|(id, n)| Tally {
            id,
            key: id.map_or_else(|| "none".to_string(), |i| i.to_string()),
            label: id
                .and_then(|i| names.get(&i).cloned())
                .unwrap_or_else(|| "(chưa phân công)".into()),
            n,
        })
        .collect();
    by_officer.sort_by(|a, b| b.n.cmp(&a.n).then(a.label.cmp(&b.label)));
    Ok(DueList {
        rows,
        total,
        by_office: tally(offices, &office_names),
        by_officer,
        by_procedure: tally(procedures, &procedure_names),
        soon_until,
    })
}

/// When each dossier's pending supplement was requested.
fn supplement_since(
    conn: &mut DbConnection,
    ids: &[i64],
) -> Result<HashMap<i64, NaiveDateTime>, AppError> {
    use diesel::prelude::*;
    let rows: Vec<(i64, NaiveDateTime)> = dossier_supplements::table
        .filter(dossier_supplements::dossier_id.eq_any(ids.to_vec()))
        .filter(dossier_supplements::received_at.is_null())
        .select((
            dossier_supplements::dossier_id,
            dossier_supplements::requested_at,
        ))
        .load(conn)?;
    let mut map = HashMap::new();
    for (id, at) in rows {
        let e = map.entry(id).or_insert(at);
        if at > *e {
            *e = at;
        }
    }
    Ok(map)
}

/// When the post last brought each result back.
fn returned_since(
    conn: &mut DbConnection,
    ids: &[i64],
) -> Result<HashMap<i64, NaiveDateTime>, AppError> {
    use diesel::prelude::*;
    let rows: Vec<(i64, NaiveDateTime)> = dossier_events::table
        .filter(dossier_events::dossier_id.eq_any(ids.to_vec()))
        .filter(dossier_events::action.eq("postal_undelivered"))
        .select((dossier_events::dossier_id, dossier_events::at))
        .load(conn)?;
    let mut map = HashMap::new();
    for (id, at) in rows {
        let e = map.entry(id).or_insert(at);
        if at > *e {
            *e = at;
        }
    }
    Ok(map)
}

/// The working days a procedure's dossiers usually still need from entering
/// a state until their result is decided: the median over the office's
/// dossiers decided in the last `days` days, by (procedure, state).
#[derive(Debug, Clone, Default)]
pub struct Medians {
    pub by_state: HashMap<(i64, String), i64>,
    /// How many decided dossiers each median is taken from.
    pub samples: HashMap<(i64, String), usize>,
}

/// The history window the medians are taken from.
pub const MEDIAN_WINDOW_DAYS: i64 = 180;
/// Below this many decided dossiers, no median is given.
pub const MEDIAN_MIN_SAMPLES: usize = 5;

pub fn medians(
    conn: &mut DbConnection,
    cal: &Calendar,
    offices: &[i64],
    today: NaiveDate,
) -> Result<Medians, AppError> {
    use diesel::prelude::*;
    let since = crate::domain::time::local_to_utc(
        (today - chrono::Duration::days(MEDIAN_WINDOW_DAYS))
            .and_hms_opt(0, 0, 0)
            .unwrap_or_default(),
    );
    let rows: Vec<(i64, i64, String, NaiveDateTime, Option<NaiveDateTime>)> = dossier_events::table
        .inner_join(dossiers::table)
        .filter(dossiers::office_id.eq_any(offices.to_vec()))
        .filter(dossiers::decided_at.ge(since))
        .filter(dossiers::voided.eq(false))
        .filter(dossier_events::to_status.eq_any(["received", "in_progress", "awaiting_approval"]))
        .select((
            dossiers::id,
            dossiers::procedure_id,
            dossier_events::to_status,
            dossier_events::at,
            dossiers::decided_at,
        ))
        .load(conn)?;
    // The last time each dossier entered each state before its decision.
    let mut last: HashMap<(i64, String), (i64, NaiveDateTime, NaiveDateTime)> = HashMap::new();
    for (id, procedure, status, at, decided) in rows {
        let Some(decided) = decided else { continue };
        if at > decided {
            continue;
        }
        let e = last.entry((id, status)).or_insert((procedure, at, decided));
        if at > e.1 {
            e.1 = at;
        }
    }
    let mut spans: HashMap<(i64, String), Vec<i64>> = HashMap::new();
    for ((_, status), (procedure, at, decided)) in last {
        let from = to_local(at).date_naive();
        let to = to_local(decided).date_naive();
        spans
            .entry((procedure, status))
            .or_default()
            .push(cal.working_days_between(from, to));
    }
    let mut m = Medians::default();
    for (key, mut v) in spans {
        if v.len() < MEDIAN_MIN_SAMPLES {
            continue;
        }
        m.samples.insert(key.clone(), v.len());
        if let Some(x) = median(&mut v) {
            m.by_state.insert(key, x);
        }
    }
    Ok(m)
}

/// An open dossier whose working days left are fewer than its procedure
/// usually still needs from its state.
pub struct RiskRow {
    pub row: DossierRow,
    pub assignee: Option<String>,
    pub days_left: i64,
    pub usual: i64,
    pub samples: usize,
}

/// The open, not yet overdue dossiers of `offices` at risk, tightest first.
pub fn at_risk(
    conn: &mut DbConnection,
    cal: &Calendar,
    offices: &[i64],
    medians: &Medians,
    today: NaiveDate,
    limit: usize,
) -> Result<(Vec<RiskRow>, usize), AppError> {
    use diesel::prelude::*;
    let open: Vec<(i64, i64, String, Option<NaiveDate>)> = dossiers::table
        .filter(dossiers::office_id.eq_any(offices.to_vec()))
        .filter(dossiers::status.eq_any(["received", "in_progress", "awaiting_approval"]))
        .filter(dossiers::voided.eq(false))
        .filter(dossiers::due_date.ge(today))
        .select((
            dossiers::id,
            dossiers::procedure_id,
            dossiers::status,
            dossiers::due_date,
        ))
        .load(conn)?;
    let mut hits: Vec<(i64, i64, i64, usize)> = open
        .into_iter()
        .filter_map(|(id, procedure, status, due)| {
            let key = (procedure, status);
            let usual = *medians.by_state.get(&key)?;
            let left = cal.working_days_between(today, due?);
            (left < usual).then(|| {
                (
                    id,
                    left,
                    usual,
                    medians.samples.get(&key).copied().unwrap_or(0),
                )
            })
        })
        .collect();
    hits.sort_by_key(|(id, left, usual, _)| (left - usual, *left, *id));
    let total = hits.len();
    hits.truncate(limit);
    let ids: Vec<i64> = hits.iter().map(|h| h.0).collect();
    let rows = Dossier::rows(conn, &ids)?;
    let user_ids: Vec<i64> = rows.iter().filter_map(|r| r.dossier.assignee_id).collect();
    let names: HashMap<i64, String> = User::names(conn, &user_ids)?
        .into_iter()
        .map(|(id, _, full)| (id, full))
        .collect();
    let out = rows
        .into_iter()
        .zip(hits)
        .map(|(row, (_, left, usual, samples))| RiskRow {
            assignee: row.dossier.assignee_id.and_then(|a| names.get(&a).cloned()),
            row,
            days_left: left,
            usual,
            samples,
        })
        .collect();
    Ok((out, total))
}

/// A line of the period report.
#[derive(Debug, Clone)]
pub struct ReportLine {
    pub code: String,
    pub label: String,
    pub counts: PeriodCounts,
    pub satisfaction: Satisfaction,
}

/// The procedures of one field, with their subtotal.
#[derive(Debug, Clone)]
pub struct FieldGroup {
    pub field: String,
    pub lines: Vec<ReportLine>,
    pub subtotal: ReportLine,
}

/// The period report for a scope.
#[derive(Debug, Clone)]
pub struct PeriodReport {
    pub period: Period,
    pub by_office: Vec<ReportLine>,
    pub by_field: Vec<FieldGroup>,
    pub total: ReportLine,
    /// Feedback received and answered in the period.
    pub feedback: FeedbackSummary,
}

/// Feedback in a period: received, answered, and how long answers took.
#[derive(Debug, Clone, Default)]
pub struct FeedbackSummary {
    pub received: i64,
    pub answered: i64,
    /// Average time from receipt to answer, in days (one decimal), of
    /// those answered in the period.
    pub average_answer_days: Option<f64>,
}

impl FeedbackSummary {
    pub fn average_label(&self) -> String {
        match self.average_answer_days {
            Some(d) => format!("{d:.1} ngày").replace('.', ","),
            None => "—".into(),
        }
    }
}

fn feedback_summary(
    conn: &mut DbConnection,
    ids: &[i64],
    period: Period,
) -> Result<FeedbackSummary, AppError> {
    let (received, answered) =
        crate::db::feedback::Feedback::period(conn, ids, period.start_utc(), period.end_utc())?;
    let n = answered.len() as i64;
    let average_answer_days = (n > 0).then(|| {
        let secs: i64 = answered
            .iter()
            .map(|(c, a)| (*a - *c).num_seconds().max(0))
            .sum();
        let days = secs as f64 / n as f64 / 86_400.0;
        (days * 10.0).round() / 10.0
    });
    Ok(FeedbackSummary {
        received,
        answered: n,
        average_answer_days,
    })
}

pub fn period_report(
    conn: &mut DbConnection,
    scope: &Scope,
    period: Period,
) -> Result<PeriodReport, AppError> {
    let ids = scope.ids();
    // Open at the end of the period: overdue as of its last day, or as of
    // today for a period that has not ended yet.
    let as_of = period.to.min(crate::domain::time::today());
    let rows = reports::period_rows(conn, &ids, period, as_of)?;
    let mut refused_at_counter = reports::not_accepted(conn, &ids, period)?;
    refused_at_counter.extend(reports::online_not_accepted(conn, &ids, period)?);
    let feedback = feedback_summary(conn, &ids, period)?;
    let ratings = reports::ratings(conn, &ids, period)?;
    // (office, procedure) → counts, with what was not accepted beside.
    let mut cells: BTreeMap<(i64, i64), (PeriodCounts, Satisfaction)> = BTreeMap::new();
    for r in &rows {
        cells.entry((r.office_id, r.procedure_id)).or_default().0 = r.counts();
    }
    for n in &refused_at_counter {
        cells
            .entry((n.office_id, n.procedure_id))
            .or_default()
            .0
            .not_accepted += n.n;
    }
    for r in &ratings {
        cells.entry((r.office_id, r.procedure_id)).or_default().1 =
            satisfaction_of(&ratings, r.office_id, r.procedure_id);
    }
    let procedures: HashMap<i64, Procedure> = Procedure::all(conn)?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let mut total = ReportLine {
        code: String::new(),
        label: "Tổng cộng".into(),
        counts: PeriodCounts::default(),
        satisfaction: Satisfaction::default(),
    };
    let mut by_office: Vec<ReportLine> = scope
        .offices
        .iter()
        .map(|o| ReportLine {
            code: o.code.clone(),
            label: o.name.clone(),
            counts: PeriodCounts::default(),
            satisfaction: Satisfaction::default(),
        })
        .collect();
    let mut by_procedure: BTreeMap<i64, ReportLine> = BTreeMap::new();
    for ((office, procedure), (counts, sat)) in &cells {
        total.counts.add(counts);
        total.satisfaction.add(sat);
        if let Some(pos) = scope.offices.iter().position(|o| o.id == *office) {
            by_office[pos].counts.add(counts);
            by_office[pos].satisfaction.add(sat);
        }
        let p = procedures.get(procedure);
        let line = by_procedure
            .entry(*procedure)
            .or_insert_with(|| ReportLine {
                code: p.map(|p| p.code.clone()).unwrap_or_default(),
                label: p.map(|p| p.name.clone()).unwrap_or_default(),
                counts: PeriodCounts::default(),
                satisfaction: Satisfaction::default(),
            });
        line.counts.add(counts);
        line.satisfaction.add(sat);
    }
    let mut fields: BTreeMap<String, Vec<ReportLine>> = BTreeMap::new();
    for (id, line) in by_procedure {
        let field = procedures
            .get(&id)
            .map(|p| p.field.clone())
            .filter(|f| !f.is_empty())
            .unwrap_or_else(|| "Khác".into());
        fields.entry(field).or_default().push(line);
    }
    let by_field = fields
        .into_iter()
        .map(|(field, mut lines)| {
            lines.sort_by(|a, b| a.label.cmp(&b.label));
            let mut subtotal = ReportLine {
                code: String::new(),
                label: field.clone(),
                counts: PeriodCounts::default(),
                satisfaction: Satisfaction::default(),
            };
            for l in &lines {
                subtotal.counts.add(&l.counts);
                subtotal.satisfaction.add(&l.satisfaction);
            }
            FieldGroup {
                field,
                lines,
                subtotal,
            }
        })
        .collect();
    Ok(PeriodReport {
        period,
        by_office,
        by_field,
        total,
        feedback,
    })
}

/// Fills in the timeliness of dossiers decided before it was kept, with the
/// function that keeps it at decision. Run on start.
pub fn backfill_timeliness(conn: &mut DbConnection) -> Result<usize, AppError> {
    let mut done = 0;
    loop {
        let batch = reports::untimed(conn, 1000)?;
        if batch.is_empty() {
            return Ok(done);
        }
        crate::db::write_tx(conn, |conn| {
            for u in &batch {
                let t =
                    decided_timeliness(u.decided_at, u.due_date, u.extended, u.supplement_requests);
                reports::set_timeliness(conn, u.id, t.as_str())?;
            }
            Ok::<_, AppError>(())
        })?;
        done += batch.len();
    }
}
