//! Wrong-password counts per attempted username, shared by every instance.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::login_failures;
use super::DbConnection;
use crate::error::AppError;

/// When the username may try again, if it is blocked now.
pub fn blocked_until(
    conn: &mut DbConnection,
    username: &str,
    now: NaiveDateTime,
) -> Result<Option<NaiveDateTime>, AppError> {
    let until: Option<Option<NaiveDateTime>> = login_failures::table
        .find(username)
        .select(login_failures::blocked_until)
        .first(conn)
        .optional()?;
    Ok(until.flatten().filter(|t| *t > now))
}

/// Records one more failure and returns the failures counted so far.
/// `block_for` turns the count into how long the username must wait.
pub fn record_failure(
    conn: &mut DbConnection,
    username: &str,
    now: NaiveDateTime,
    block_for: impl Fn(i32) -> Option<chrono::Duration>,
) -> Result<i32, AppError> {
    super::retry_on_conflict(conn, |conn| record_once(conn, username, now, &block_for))
}

fn record_once(
    conn: &mut DbConnection,
    username: &str,
    now: NaiveDateTime,
    block_for: &impl Fn(i32) -> Option<chrono::Duration>,
) -> Result<i32, AppError> {
    super::write_tx(conn, |conn| {
        let previous: Option<i32> = login_failures::table
            .find(username)
            .select(login_failures::failures)
            .first(conn)
            .optional()?;
        let failures = previous.unwrap_or(0) + 1;
        let blocked = block_for(failures).map(|d| now + d);
        if previous.is_some() {
            diesel::update(login_failures::table.find(username))
                .set((
                    login_failures::failures.eq(failures),
                    login_failures::last_failed_at.eq(now),
                    login_failures::blocked_until.eq(blocked),
                ))
                .execute(conn)?;
        } else {
            diesel::insert_into(login_failures::table)
                .values((
                    login_failures::username.eq(username),
                    login_failures::failures.eq(failures),
                    login_failures::last_failed_at.eq(now),
                    login_failures::blocked_until.eq(blocked),
                ))
                .execute(conn)?;
        }
        Ok(failures)
    })
}

pub fn clear(conn: &mut DbConnection, username: &str) -> Result<(), AppError> {
    diesel::delete(login_failures::table.find(username)).execute(conn)?;
    Ok(())
}
