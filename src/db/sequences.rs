//! Gapless counters. `next` must run inside the write transaction that uses
//! the number: the row stays locked until commit (PostgreSQL) or the whole
//! database is (SQLite `BEGIN IMMEDIATE`), and a rollback gives the number
//! back, so numbers have neither gaps nor duplicates, whatever the number of
//! app instances.

use diesel::prelude::*;

use super::schema::sequences;
use super::DbConnection;
use crate::error::AppError;

/// The next value of the counter `name`, from 1. Two transactions creating
/// the same new counter at once: the loser fails with a unique violation and
/// is retried by its caller (`retry_on_conflict`).
pub fn next(conn: &mut DbConnection, name: &str) -> Result<i64, AppError> {
    let updated = diesel::update(sequences::table.find(name))
        .set(sequences::value.eq(sequences::value + 1))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(sequences::table)
            .values((sequences::name.eq(name), sequences::value.eq(1i64)))
            .execute(conn)?;
    }
    Ok(sequences::table
        .find(name)
        .select(sequences::value)
        .first(conn)?)
}

/// The current value of a counter, 0 when it never ran.
pub fn current(conn: &mut DbConnection, name: &str) -> Result<i64, AppError> {
    Ok(sequences::table
        .find(name)
        .select(sequences::value)
        .first(conn)
        .optional()?
        .unwrap_or(0))
}
