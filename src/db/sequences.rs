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
        .returning(sequences::value)
        .get_result(conn)
        .optional()?;
    if let Some(value) = updated {
        return Ok(value);
    }
    diesel::insert_into(sequences::table)
        .values((sequences::name.eq(name), sequences::value.eq(1i64)))
        .execute(conn)?;
    Ok(1)
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

/// Creates the counter `name` at `value` (the next number is `value + 1`),
/// when it does not exist yet; inside the caller's write transaction.
pub fn start_at(conn: &mut DbConnection, name: &str, value: i64) -> Result<(), AppError> {
    if current(conn, name)? == 0 {
        diesel::delete(sequences::table.find(name)).execute(conn)?;
        diesel::insert_into(sequences::table)
            .values((sequences::name.eq(name), sequences::value.eq(value)))
            .execute(conn)?;
    }
    Ok(())
}

/// Sets the counter `name`, which exists, to `value` (the next number is
/// `value + 1`); inside the caller's write transaction.
pub fn set(conn: &mut DbConnection, name: &str, value: i64) -> Result<(), AppError> {
    diesel::update(sequences::table.find(name))
        .set(sequences::value.eq(value))
        .execute(conn)?;
    Ok(())
}
