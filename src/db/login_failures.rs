//! Wrong-password counts per attempted username and per client address,
//! shared by every instance. Counts are forgotten `FORGET_AFTER_MINUTES`
//! after the last failure, and rows nobody failed on for a day are deleted.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::schema::login_failures;
use super::DbConnection;
use crate::auth::throttle::FORGET_AFTER_MINUTES;
use crate::error::AppError;

/// Rows untouched this long are removed.
const KEEP_HOURS: i64 = 24;

/// When the key may try again, if it is blocked now.
pub fn blocked_until(
    conn: &mut DbConnection,
    key: &str,
    now: NaiveDateTime,
) -> Result<Option<NaiveDateTime>, AppError> {
    let until: Option<Option<NaiveDateTime>> = login_failures::table
        .find(key)
        .select(login_failures::blocked_until)
        .first(conn)
        .optional()?;
    Ok(until.flatten().filter(|t| *t > now))
}

/// The failures of `key` still remembered at `now`.
pub fn recent_failures(
    conn: &mut DbConnection,
    key: &str,
    now: NaiveDateTime,
) -> Result<i32, AppError> {
    let row: Option<(i32, NaiveDateTime)> = login_failures::table
        .find(key)
        .select((login_failures::failures, login_failures::last_failed_at))
        .first(conn)
        .optional()?;
    Ok(match row {
        Some((n, last)) if now - last <= Duration::minutes(FORGET_AFTER_MINUTES) => n,
        _ => 0,
    })
}

/// Records one more failure and returns the failures counted so far.
/// `block_for` turns the count into how long the key must wait.
pub fn record_failure(
    conn: &mut DbConnection,
    key: &str,
    now: NaiveDateTime,
    block_for: impl Fn(i32) -> Option<chrono::Duration>,
) -> Result<i32, AppError> {
    super::retry_on_conflict(conn, |conn| record_once(conn, key, now, &block_for))
}

fn record_once(
    conn: &mut DbConnection,
    key: &str,
    now: NaiveDateTime,
    block_for: &impl Fn(i32) -> Option<chrono::Duration>,
) -> Result<i32, AppError> {
    super::write_tx(conn, |conn| {
        diesel::delete(
            login_failures::table
                .filter(login_failures::last_failed_at.lt(now - Duration::hours(KEEP_HOURS))),
        )
        .execute(conn)?;
        let exists = login_failures::table
            .find(key)
            .select(login_failures::failures)
            .first::<i32>(conn)
            .optional()?
            .is_some();
        let failures = recent_failures(conn, key, now)? + 1;
        let blocked = block_for(failures).map(|d| now + d);
        if exists {
            diesel::update(login_failures::table.find(key))
                .set((
                    login_failures::failures.eq(failures),
                    login_failures::last_failed_at.eq(now),
                    login_failures::blocked_until.eq(blocked),
                ))
                .execute(conn)?;
        } else {
            diesel::insert_into(login_failures::table)
                .values((
                    login_failures::username.eq(key),
                    login_failures::failures.eq(failures),
                    login_failures::last_failed_at.eq(now),
                    login_failures::blocked_until.eq(blocked),
                ))
                .execute(conn)?;
        }
        Ok(failures)
    })
}

pub fn clear(conn: &mut DbConnection, key: &str) -> Result<(), AppError> {
    diesel::delete(login_failures::table.find(key)).execute(conn)?;
    Ok(())
}

/// How many keys are remembered (tests, monitoring).
pub fn count(conn: &mut DbConnection) -> Result<i64, AppError> {
    Ok(login_failures::table.count().get_result(conn)?)
}
