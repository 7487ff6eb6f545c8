//! Session ids ended by logout. Cookie sessions live in the browser, so a
//! copy of a logged-out cookie must be refused here.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::revoked_sessions;
use super::DbConnection;
use crate::error::AppError;

pub fn revoke(
    conn: &mut DbConnection,
    sid: &str,
    expires_at: NaiveDateTime,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    super::retry_on_conflict(conn, |conn| revoke_once(conn, sid, expires_at, now))
}

fn revoke_once(
    conn: &mut DbConnection,
    sid: &str,
    expires_at: NaiveDateTime,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    super::write_tx(conn, |conn| {
        diesel::delete(revoked_sessions::table.filter(revoked_sessions::expires_at.le(now)))
            .execute(conn)?;
        let exists = revoked_sessions::table
            .find(sid)
            .count()
            .get_result::<i64>(conn)?
            > 0;
        if !exists {
            diesel::insert_into(revoked_sessions::table)
                .values((
                    revoked_sessions::sid.eq(sid),
                    revoked_sessions::expires_at.eq(expires_at),
                ))
                .execute(conn)?;
        }
        Ok(())
    })
}

pub fn is_revoked(conn: &mut DbConnection, sid: &str) -> Result<bool, AppError> {
    Ok(revoked_sessions::table
        .find(sid)
        .count()
        .get_result::<i64>(conn)?
        > 0)
}
