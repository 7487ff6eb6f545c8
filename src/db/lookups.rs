//! Citizens' status lookups, counted per address and wrong verifiers per
//! code, shared by every instance (API.md: 30 a minute, 10 wrong an hour).

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::schema::lookup_attempts;
use super::DbConnection;
use crate::error::AppError;

/// A lookup from an address.
pub const BY_ADDRESS: &str = "address";
/// A wrong verifier (or an unknown code) for a code.
pub const WRONG: &str = "wrong";

pub fn record(
    conn: &mut DbConnection,
    kind: &str,
    key: &str,
    at: NaiveDateTime,
) -> Result<(), AppError> {
    diesel::insert_into(lookup_attempts::table)
        .values((
            lookup_attempts::kind.eq(kind),
            lookup_attempts::key.eq(key),
            lookup_attempts::at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Serialises the counting of one key until the transaction ends, so that
/// parallel lookups cannot all pass the same count (PostgreSQL; SQLite's
/// write transaction already lets one in at a time).
pub fn lock_key(conn: &mut DbConnection, key: &str) -> Result<(), AppError> {
    if let DbConnection::Postgresql(c) = conn {
        diesel::sql_query("SELECT pg_advisory_xact_lock(hashtext($1))")
            .bind::<diesel::sql_types::Text, _>(format!("lookup:{key}"))
            .execute(c)?;
    }
    Ok(())
}

/// Attempts of `kind` for `key` after `since`.
pub fn count_since(
    conn: &mut DbConnection,
    kind: &str,
    key: &str,
    since: NaiveDateTime,
) -> Result<i64, AppError> {
    Ok(lookup_attempts::table
        .filter(lookup_attempts::kind.eq(kind))
        .filter(lookup_attempts::key.eq(key))
        .filter(lookup_attempts::at.gt(since))
        .count()
        .get_result(conn)?)
}

/// Forgets attempts older than an hour (none counts after that).
pub fn purge(conn: &mut DbConnection, now: NaiveDateTime) -> Result<usize, AppError> {
    Ok(diesel::delete(
        lookup_attempts::table.filter(lookup_attempts::at.lt(now - Duration::hours(1))),
    )
    .execute(conn)?)
}
