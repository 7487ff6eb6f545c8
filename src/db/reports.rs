//! Aggregates for reports and home pages: one pass over the dossiers of a
//! period, grouped by office and procedure, counted by the database.
//!
//! The SQL is written out because it is one `SUM(CASE …)` per column; every
//! value put into it is typed (ids, dates, timestamps), never typed text.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};

use super::DbConnection;
use crate::domain::report::{Period, PeriodCounts, Satisfaction};
use crate::error::AppError;

/// One (office, procedure) line of the period report.
#[derive(Debug, Clone, QueryableByName)]
pub struct PeriodRow {
    #[diesel(sql_type = BigInt)]
    pub office_id: i64,
    #[diesel(sql_type = BigInt)]
    pub procedure_id: i64,
    #[diesel(sql_type = BigInt)]
    carried_over: i64,
    #[diesel(sql_type = BigInt)]
    online: i64,
    #[diesel(sql_type = BigInt)]
    counter: i64,
    #[diesel(sql_type = BigInt)]
    postal: i64,
    #[diesel(sql_type = BigInt)]
    early: i64,
    #[diesel(sql_type = BigInt)]
    on_time: i64,
    #[diesel(sql_type = BigInt)]
    late: i64,
    #[diesel(sql_type = BigInt)]
    refused: i64,
    #[diesel(sql_type = BigInt)]
    withdrawn: i64,
    #[diesel(sql_type = BigInt)]
    open_on_time: i64,
    #[diesel(sql_type = BigInt)]
    open_overdue: i64,
}

impl PeriodRow {
    pub fn counts(&self) -> PeriodCounts {
        PeriodCounts {
            carried_over: self.carried_over,
            online: self.online,
            counter: self.counter,
            postal: self.postal,
            early: self.early,
            on_time: self.on_time,
            late: self.late,
            refused: self.refused,
            withdrawn: self.withdrawn,
            open_on_time: self.open_on_time,
            open_overdue: self.open_overdue,
            not_accepted: 0,
        }
    }
}

/// A count by office and procedure (notices refused at the counter).
#[derive(Debug, Clone, QueryableByName)]
pub struct GroupCount {
    #[diesel(sql_type = BigInt)]
    pub office_id: i64,
    #[diesel(sql_type = BigInt)]
    pub procedure_id: i64,
    #[diesel(sql_type = Text)]
    pub key: String,
    #[diesel(sql_type = BigInt)]
    pub n: i64,
}

/// A count by office and month (`YYYY-MM`, local time) and a key.
#[derive(Debug, Clone, QueryableByName)]
pub struct MonthCount {
    #[diesel(sql_type = BigInt)]
    pub office_id: i64,
    #[diesel(sql_type = Text)]
    pub month: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub key: Option<String>,
    #[diesel(sql_type = BigInt)]
    pub n: i64,
}

fn ids(list: &[i64]) -> String {
    list.iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

fn ts(t: NaiveDateTime) -> String {
    format!("'{}'", t.format("%Y-%m-%d %H:%M:%S"))
}

fn day(d: NaiveDate) -> String {
    format!("'{}'", d.format("%Y-%m-%d"))
}

fn load<T>(conn: &mut DbConnection, sql: String) -> Result<Vec<T>, AppError>
where
    T: QueryableByName<diesel::pg::Pg> + QueryableByName<diesel::sqlite::Sqlite> + 'static,
{
    Ok(match conn {
        DbConnection::Postgresql(c) => diesel::sql_query(sql).load(c)?,
        DbConnection::Sqlite(c) => diesel::sql_query(sql).load(c)?,
    })
}

/// The period report's counts for `offices`, by office and procedure; those
/// still open at the end are overdue when due before `overdue_as_of`. Each
/// dossier falls in exactly one of resolved, withdrawn or in progress, and in
/// exactly one of carried over or new, so every line balances.
pub fn period_rows(
    conn: &mut DbConnection,
    offices: &[i64],
    period: Period,
    overdue_as_of: NaiveDate,
) -> Result<Vec<PeriodRow>, AppError> {
    if offices.is_empty() {
        return Ok(Vec::new());
    }
    // On SQLite the office list must not pick the office index (it would read
    // every wide row): `+ 0` leaves the covering index to the planner.
    let office_column = match conn {
        DbConnection::Sqlite(_) => "office_id + 0",
        DbConnection::Postgresql(_) => "office_id",
    };
    let (s, e, last) = (
        ts(period.start_utc()),
        ts(period.end_utc()),
        day(overdue_as_of),
    );
    let resolved = format!("decided_at >= {s} AND decided_at < {e}");
    let open_at_end = format!(
        "(decided_at IS NULL OR decided_at >= {e}) AND (withdrawn_at IS NULL OR withdrawn_at >= {e})"
    );
    let overdue = format!("due_date IS NOT NULL AND due_date < {last}");
    // `dossiers_report_idx` holds every column read here: the scan reads the
    // index, not the wide dossier rows.
    let sql = format!(
        "SELECT office_id, procedure_id, \
         SUM(CASE WHEN received_at < {s} THEN 1 ELSE 0 END) AS carried_over, \
         SUM(CASE WHEN received_at >= {s} AND channel = 'online' THEN 1 ELSE 0 END) AS online, \
         SUM(CASE WHEN received_at >= {s} AND channel = 'counter' THEN 1 ELSE 0 END) AS counter, \
         SUM(CASE WHEN received_at >= {s} AND channel NOT IN ('online', 'counter') THEN 1 ELSE 0 END) AS postal, \
         SUM(CASE WHEN {resolved} AND timeliness = 'early' THEN 1 ELSE 0 END) AS early, \
         SUM(CASE WHEN {resolved} AND timeliness = 'on_time' THEN 1 ELSE 0 END) AS on_time, \
         SUM(CASE WHEN {resolved} AND (timeliness IS NULL OR timeliness NOT IN ('early', 'on_time')) THEN 1 ELSE 0 END) AS late, \
         SUM(CASE WHEN {resolved} AND outcome = 'refused' THEN 1 ELSE 0 END) AS refused, \
         SUM(CASE WHEN withdrawn_at >= {s} AND withdrawn_at < {e} THEN 1 ELSE 0 END) AS withdrawn, \
         SUM(CASE WHEN {open_at_end} AND NOT ({overdue}) THEN 1 ELSE 0 END) AS open_on_time, \
         SUM(CASE WHEN {open_at_end} AND {overdue} THEN 1 ELSE 0 END) AS open_overdue \
         FROM dossiers \
         WHERE {office_column} IN ({offices}) AND voided = false \
           AND status NOT IN ('submitted', 'not_accepted') \
           AND received_at < {e} \
           AND (decided_at IS NULL OR decided_at >= {s}) \
           AND (withdrawn_at IS NULL OR withdrawn_at >= {s}) \
         GROUP BY office_id, procedure_id",
        offices = ids(offices),
    );
    load(conn, sql)
}

/// Rows of `table` (with `office_id`, `procedure_id`, `at`) in the period,
/// counted by office, procedure and `key_column`.
fn counted_in_period(
    conn: &mut DbConnection,
    table: &str,
    key_column: &str,
    offices: &[i64],
    period: Period,
) -> Result<Vec<GroupCount>, AppError> {
    if offices.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT office_id, procedure_id, {key_column} AS key, COUNT(*) AS n FROM {table} \
         WHERE office_id IN ({}) AND at >= {} AND at < {} \
         GROUP BY office_id, procedure_id, {key_column}",
        ids(offices),
        ts(period.start_utc()),
        ts(period.end_utc())
    );
    load(conn, sql)
}

/// Supplement requests and refusals at the counter in the period, by office
/// and procedure (`key` is the notice's kind).
pub fn not_accepted(
    conn: &mut DbConnection,
    offices: &[i64],
    period: Period,
) -> Result<Vec<GroupCount>, AppError> {
    counted_in_period(conn, "counter_notices", "kind", offices, period)
}

/// Online submissions sent back for a supplement or refused in the period,
/// by office and procedure (`key` is the action).
pub fn online_not_accepted(
    conn: &mut DbConnection,
    offices: &[i64],
    period: Period,
) -> Result<Vec<GroupCount>, AppError> {
    if offices.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT s.office_id AS office_id, s.procedure_id AS procedure_id, e.action AS key, \
         COUNT(*) AS n FROM submission_events e JOIN submissions s ON s.id = e.submission_id \
         WHERE s.office_id IN ({}) AND e.at >= {} AND e.at < {} \
         AND e.action IN ('reject_online', 'request_supplement') \
         GROUP BY s.office_id, s.procedure_id, e.action",
        ids(offices),
        ts(period.start_utc()),
        ts(period.end_utc())
    );
    load(conn, sql)
}

/// Ratings given in the period, by office, procedure and level.
pub fn ratings(
    conn: &mut DbConnection,
    offices: &[i64],
    period: Period,
) -> Result<Vec<GroupCount>, AppError> {
    counted_in_period(conn, "ratings", "level", offices, period)
}

/// Satisfaction by office and procedure, from [`ratings`].
pub fn satisfaction_of(rows: &[GroupCount], office: i64, procedure: i64) -> Satisfaction {
    let mut s = Satisfaction::default();
    for r in rows
        .iter()
        .filter(|r| r.office_id == office && r.procedure_id == procedure)
    {
        s.add_level(&r.key, r.n);
    }
    s
}

/// The local month of a UTC timestamp column, as `YYYY-MM`.
fn local_month(conn: &DbConnection, column: &str) -> String {
    match conn {
        DbConnection::Postgresql(_) => {
            format!("to_char({column} + interval '7 hours', 'YYYY-MM')")
        }
        DbConnection::Sqlite(_) => format!("strftime('%Y-%m', {column}, '+7 hours')"),
    }
}

/// Dossiers received in the period by office, month and channel.
pub fn received_by_month(
    conn: &mut DbConnection,
    offices: &[i64],
    period: Period,
) -> Result<Vec<MonthCount>, AppError> {
    if offices.is_empty() {
        return Ok(Vec::new());
    }
    let month = local_month(conn, "received_at");
    let sql = format!(
        "SELECT office_id, {month} AS month, channel AS key, COUNT(*) AS n FROM dossiers \
         WHERE office_id IN ({}) AND received_at >= {} AND received_at < {} AND voided = false \
           AND status NOT IN ('submitted', 'not_accepted') \
         GROUP BY office_id, {month}, channel",
        ids(offices),
        ts(period.start_utc()),
        ts(period.end_utc())
    );
    load(conn, sql)
}

/// Dossiers resolved in the period by office, month and timeliness.
pub fn resolved_by_month(
    conn: &mut DbConnection,
    offices: &[i64],
    period: Period,
) -> Result<Vec<MonthCount>, AppError> {
    if offices.is_empty() {
        return Ok(Vec::new());
    }
    let month = local_month(conn, "decided_at");
    let sql = format!(
        "SELECT office_id, {month} AS month, timeliness AS key, COUNT(*) AS n FROM dossiers \
         WHERE office_id IN ({}) AND decided_at >= {} AND decided_at < {} AND voided = false \
         GROUP BY office_id, {month}, timeliness",
        ids(offices),
        ts(period.start_utc()),
        ts(period.end_utc())
    );
    load(conn, sql)
}

/// Open dossiers by office, assignee and procedure whose due date is before
/// `before` (overdue as of a day, when `before` is that day).
#[derive(Debug, Clone, QueryableByName)]
pub struct OpenCount {
    #[diesel(sql_type = BigInt)]
    pub office_id: i64,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub assignee_id: Option<i64>,
    #[diesel(sql_type = BigInt)]
    pub procedure_id: i64,
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = BigInt)]
    pub n: i64,
}

/// Open dossiers of `offices` by office, assignee, procedure and state; with
/// `due_before`, only those due before that day.
pub fn open_counts(
    conn: &mut DbConnection,
    offices: &[i64],
    due_before: Option<NaiveDate>,
) -> Result<Vec<OpenCount>, AppError> {
    if offices.is_empty() {
        return Ok(Vec::new());
    }
    let due = match due_before {
        Some(d) => format!("AND due_date IS NOT NULL AND due_date < {}", day(d)),
        None => String::new(),
    };
    let sql = format!(
        "SELECT office_id, assignee_id, procedure_id, status, COUNT(*) AS n FROM dossiers \
         WHERE status IN ('received', 'in_progress', 'awaiting_supplement', 'awaiting_approval') \
           AND voided = false AND office_id IN ({}) {due} \
         GROUP BY office_id, assignee_id, procedure_id, status",
        ids(offices)
    );
    load(conn, sql)
}

/// A decided dossier whose timeliness was not kept (decided before it was).
#[derive(Debug, Clone, Queryable)]
pub struct Untimed {
    pub id: i64,
    pub decided_at: NaiveDateTime,
    pub due_date: NaiveDate,
    pub extended: bool,
    pub supplement_requests: i32,
}

/// Up to `limit` decided dossiers without a kept timeliness.
pub fn untimed(conn: &mut DbConnection, limit: i64) -> Result<Vec<Untimed>, AppError> {
    use super::schema::dossiers::dsl as d;
    type Row = (i64, Option<NaiveDateTime>, Option<NaiveDate>, bool, i32);
    let rows: Vec<Row> = d::dossiers
        .filter(d::decided_at.is_not_null())
        .filter(d::due_date.is_not_null())
        .filter(d::timeliness.is_null())
        .select((
            d::id,
            d::decided_at,
            d::due_date,
            d::extended,
            d::supplement_requests,
        ))
        .limit(limit)
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, at, due, extended, supplement_requests)| {
            Some(Untimed {
                id,
                decided_at: at?,
                due_date: due?,
                extended,
                supplement_requests,
            })
        })
        .collect())
}

/// Keeps a dossier's timeliness.
pub fn set_timeliness(conn: &mut DbConnection, id: i64, value: &str) -> Result<(), AppError> {
    use super::schema::dossiers::dsl as d;
    diesel::update(d::dossiers.filter(d::id.eq(id)))
        .set(d::timeliness.eq(value))
        .execute(conn)?;
    Ok(())
}
