//! The outbox: email and SMS messages written with the action that caused
//! them, claimed by one worker at a time (`SKIP LOCKED` on PostgreSQL; the
//! write lock on SQLite), and kept with what happened to them.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{dossiers, outbox};
use super::{write_tx, DbConnection};
use crate::error::AppError;

/// Waiting to be sent, or to be tried again.
pub const PENDING: &str = "pending";
/// Accepted by the mail server or the SMS gateway.
pub const SENT: &str = "sent";
/// Given up after the last try; an administrator may retry it.
pub const FAILED: &str = "failed";
/// Not sent because the channel is not configured; may be retried later.
pub const SKIPPED: &str = "skipped";

pub const STATUSES: [&str; 4] = [PENDING, SENT, FAILED, SKIPPED];

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = outbox)]
pub struct OutboxMessage {
    pub id: i64,
    pub message_id: String,
    pub dossier_id: Option<i64>,
    pub event: String,
    pub channel: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub link: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub claimed_by: Option<String>,
    pub claimed_until: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = outbox)]
// `dossier_id` None is NULL; one statement shape, prepared once.
#[diesel(treat_none_as_default_value = false)]
pub struct NewMessage<'a> {
    pub message_id: &'a str,
    pub dossier_id: Option<i64>,
    pub event: &'a str,
    pub channel: &'a str,
    pub recipient: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    pub link: &'a str,
    pub status: &'a str,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, new: &NewMessage<'_>) -> Result<(), AppError> {
    diesel::insert_into(outbox::table)
        .values(new)
        .execute(conn)?;
    Ok(())
}

/// Messages due at `now`: waiting, their time come, and not held by a live claim.
#[diesel::dsl::auto_type(no_type_alias)]
fn due(now: NaiveDateTime) -> _ {
    let pending: &'static str = PENDING;
    outbox::table
        .filter(outbox::status.eq(pending))
        .filter(outbox::next_attempt_at.le(now))
        .filter(
            outbox::claimed_until
                .is_null()
                .or(outbox::claimed_until.lt(now)),
        )
}

/// Claims up to `limit` messages due at `now` for `worker` until `now +
/// lease`, counting the try. A claim left by a worker that died expires with
/// its lease, and the message is tried again with the same message id.
pub fn claim(
    conn: &mut DbConnection,
    worker: &str,
    now: NaiveDateTime,
    lease: Duration,
    limit: i64,
) -> Result<Vec<OutboxMessage>, AppError> {
    write_tx(conn, |conn| {
        let due = due(now)
            .order(outbox::id.asc())
            .limit(limit)
            .select(outbox::id);
        // Two instances claiming at once on PostgreSQL each skip the rows the
        // other holds; SQLite's BEGIN IMMEDIATE lets one writer in at a time.
        let ids: Vec<i64> = match conn {
            DbConnection::Postgresql(c) => due.for_update().skip_locked().load(c)?,
            DbConnection::Sqlite(c) => due.load(c)?,
        };
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        diesel::update(outbox::table.filter(outbox::id.eq_any(&ids)))
            .set((
                outbox::claimed_by.eq(worker),
                outbox::claimed_until.eq(now + lease),
                outbox::attempts.eq(outbox::attempts + 1),
            ))
            .execute(conn)?;
        Ok(outbox::table
            .filter(outbox::id.eq_any(&ids))
            .order(outbox::id.asc())
            .select(OutboxMessage::as_select())
            .load(conn)?)
    })
}

/// Whether any message is due (a read, before taking the write lock).
pub fn has_due(conn: &mut DbConnection, now: NaiveDateTime) -> Result<bool, AppError> {
    Ok(diesel::select(diesel::dsl::exists(due(now))).get_result(conn)?)
}

/// Extends `worker`'s claim on a message just before sending it; `false`
/// when the claim was lost (it expired and another worker took it).
pub fn renew(
    conn: &mut DbConnection,
    id: i64,
    worker: &str,
    until: NaiveDateTime,
) -> Result<bool, AppError> {
    let n = diesel::update(
        outbox::table
            .filter(outbox::id.eq(id))
            .filter(outbox::claimed_by.eq(worker))
            .filter(outbox::status.eq(PENDING)),
    )
    .set(outbox::claimed_until.eq(until))
    .execute(conn)?;
    Ok(n == 1)
}

/// Records the outcome of a try by the worker that holds the claim: `status`
/// with its error, and when to try again for a message still pending.
pub fn finish(
    conn: &mut DbConnection,
    id: i64,
    worker: &str,
    status: &str,
    error: Option<&str>,
    next_attempt_at: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> Result<bool, AppError> {
    let sent_at = (status == SENT).then_some(now);
    let n = diesel::update(
        outbox::table
            .filter(outbox::id.eq(id))
            .filter(outbox::claimed_by.eq(worker)),
    )
    .set((
        outbox::status.eq(status),
        outbox::last_error.eq(error),
        outbox::sent_at.eq(sent_at),
        outbox::claimed_by.eq(None::<String>),
        outbox::claimed_until.eq(None::<NaiveDateTime>),
        outbox::next_attempt_at.eq(next_attempt_at.unwrap_or(now)),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Puts a failed or skipped message back in the queue, to be sent now.
pub fn retry(conn: &mut DbConnection, id: i64, now: NaiveDateTime) -> Result<bool, AppError> {
    let n = diesel::update(
        outbox::table
            .filter(outbox::id.eq(id))
            .filter(outbox::status.eq_any([FAILED, SKIPPED])),
    )
    .set((
        outbox::status.eq(PENDING),
        outbox::attempts.eq(0),
        outbox::next_attempt_at.eq(now),
        outbox::claimed_by.eq(None::<String>),
        outbox::claimed_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// A message as listed, with its dossier's code.
pub type Listed = (OutboxMessage, Option<String>);

/// Messages with `status` (all when `None`), newest first.
pub fn list(
    conn: &mut DbConnection,
    status: Option<&str>,
    offset: i64,
    limit: i64,
) -> Result<Vec<Listed>, AppError> {
    let mut q = outbox::table
        .left_join(dossiers::table)
        .select((OutboxMessage::as_select(), dossiers::code.nullable()))
        .order(outbox::id.desc())
        .offset(offset)
        .limit(limit)
        .into_boxed();
    if let Some(s) = status {
        q = q.filter(outbox::status.eq(s.to_string()));
    }
    Ok(q.load(conn)?)
}

/// How many messages each status holds.
pub fn counts(conn: &mut DbConnection) -> Result<Vec<(String, i64)>, AppError> {
    Ok(outbox::table
        .group_by(outbox::status)
        .select((outbox::status, diesel::dsl::count_star()))
        .load(conn)?)
}

/// The messages of one dossier, oldest first.
pub fn of_dossier(conn: &mut DbConnection, dossier: i64) -> Result<Vec<OutboxMessage>, AppError> {
    Ok(outbox::table
        .filter(outbox::dossier_id.eq(dossier))
        .order(outbox::id.asc())
        .select(OutboxMessage::as_select())
        .load(conn)?)
}
