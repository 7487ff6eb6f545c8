//! Keys of creations already done, so that a retry answers with the first
//! result (`Idempotency-Key`, a double click on the reception form).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::idempotency_keys;
use super::DbConnection;
use crate::error::AppError;

/// The dossier created under `key` by `user_id` since `since`.
pub fn find(
    conn: &mut DbConnection,
    user_id: i64,
    key: &str,
    since: NaiveDateTime,
) -> Result<Option<i64>, AppError> {
    Ok(idempotency_keys::table
        .find((user_id, key))
        .filter(idempotency_keys::created_at.ge(since))
        .select(idempotency_keys::dossier_id)
        .first(conn)
        .optional()?)
}

/// Records `key`; a use of the same key older than `since` (past its window)
/// is replaced. A concurrent use fails with a unique violation, and its
/// caller retries and finds this one.
pub fn record(
    conn: &mut DbConnection,
    user_id: i64,
    key: &str,
    dossier_id: i64,
    at: NaiveDateTime,
    since: NaiveDateTime,
) -> Result<(), AppError> {
    diesel::delete(
        idempotency_keys::table
            .find((user_id, key))
            .filter(idempotency_keys::created_at.lt(since)),
    )
    .execute(conn)?;
    diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::user_id.eq(user_id),
            idempotency_keys::key.eq(key),
            idempotency_keys::dossier_id.eq(dossier_id),
            idempotency_keys::created_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}
