//! Wrong-password counts per key (a username at an address, a username, an
//! address), shared by every instance. Counts are forgotten
//! `FORGET_AFTER_MINUTES` after the last failure, and rows nobody failed on
//! for a day are deleted.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::schema::login_failures;
use super::DbConnection;
use crate::domain::throttle::FORGET_AFTER_MINUTES;
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

/// What counting one more attempt found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counted {
    /// Attempts not yet cleared by a success, this one included.
    pub failures: i32,
    /// Set when the key was already blocked: this attempt must not be checked.
    pub blocked_until: Option<NaiveDateTime>,
}

/// Counts one more attempt of `key` before its password is checked (a
/// success clears it afterwards), inside the caller's write transaction.
/// The increment is one `UPDATE … SET failures = failures + 1`, which locks
/// the row, so attempts sent in parallel are all counted and, once the key
/// is blocked, none of the others is let through.
pub fn count_attempt(
    conn: &mut DbConnection,
    key: &str,
    now: NaiveDateTime,
    block_for: impl Fn(i32) -> Option<Duration>,
) -> Result<Counted, AppError> {
    // A count left alone long enough (and not blocked now) starts again. Run
    // first, on this key's row only: a parallel attempt re-reads the row
    // after this one commits and finds it fresh.
    diesel::update(
        login_failures::table
            .find(key)
            .filter(
                login_failures::last_failed_at.lt(now - Duration::minutes(FORGET_AFTER_MINUTES)),
            )
            .filter(
                login_failures::blocked_until
                    .is_null()
                    .or(login_failures::blocked_until.lt(now)),
            ),
    )
    .set((
        login_failures::failures.eq(0),
        login_failures::blocked_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    let updated = diesel::update(login_failures::table.find(key))
        .set((
            login_failures::failures.eq(login_failures::failures + 1),
            login_failures::last_failed_at.eq(now),
        ))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(login_failures::table)
            .values((
                login_failures::username.eq(key),
                login_failures::failures.eq(1),
                login_failures::last_failed_at.eq(now),
                login_failures::blocked_until.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)?;
    }
    let (failures, blocked): (i32, Option<NaiveDateTime>) = login_failures::table
        .find(key)
        .select((login_failures::failures, login_failures::blocked_until))
        .first(conn)?;
    if let Some(until) = blocked.filter(|t| *t > now) {
        return Ok(Counted {
            failures,
            blocked_until: Some(until),
        });
    }
    if let Some(wait) = block_for(failures) {
        diesel::update(login_failures::table.find(key))
            .set(login_failures::blocked_until.eq(Some(now + wait)))
            .execute(conn)?;
    }
    Ok(Counted {
        failures,
        blocked_until: None,
    })
}

/// Deletes rows untouched for a day. One statement of its own, outside any
/// attempt's transaction.
pub fn delete_old(conn: &mut DbConnection, now: NaiveDateTime) -> Result<usize, AppError> {
    Ok(diesel::delete(
        login_failures::table
            .filter(login_failures::last_failed_at.lt(now - Duration::hours(KEEP_HOURS))),
    )
    .execute(conn)?)
}

/// Records one more failure (a wrong current password when changing it) and
/// returns the failures counted so far.
pub fn record_failure(
    conn: &mut DbConnection,
    key: &str,
    now: NaiveDateTime,
    block_for: impl Fn(i32) -> Option<chrono::Duration>,
) -> Result<i32, AppError> {
    let n = super::retry_on_conflict(conn, |conn| {
        super::write_tx(conn, |conn| {
            Ok(count_attempt(conn, key, now, &block_for)?.failures)
        })
    })?;
    delete_old(conn, now)?;
    Ok(n)
}

/// Clears every count of `username` (anywhere, at any address).
pub fn clear_user(conn: &mut DbConnection, username: &str) -> Result<(), AppError> {
    use crate::domain::throttle::{user_at_address_key, user_key};
    let at_any = format!(
        "{}%",
        super::dossiers::like_escape(&user_at_address_key(username, ""))
    );
    diesel::delete(
        login_failures::table.filter(
            login_failures::username
                .eq(user_key(username))
                .or(login_failures::username.like(at_any).escape('\\')),
        ),
    )
    .execute(conn)?;
    Ok(())
}

pub fn clear(conn: &mut DbConnection, key: &str) -> Result<(), AppError> {
    diesel::delete(login_failures::table.find(key)).execute(conn)?;
    Ok(())
}
