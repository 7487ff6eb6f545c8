//! Stored two-factor secrets and recovery codes.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{recovery_codes, two_factor};
use super::DbConnection;
use crate::error::AppError;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = two_factor)]
pub struct TwoFactor {
    pub user_id: i64,
    pub secret: String,
    pub last_step: i64,
    pub enabled_at: NaiveDateTime,
}

pub fn find(conn: &mut DbConnection, user_id: i64) -> Result<Option<TwoFactor>, AppError> {
    Ok(two_factor::table
        .find(user_id)
        .select(TwoFactor::as_select())
        .first(conn)
        .optional()?)
}

/// Turns two-factor login on with `secret` (already confirmed at `step`)
/// and replaces the recovery codes.
pub fn enable(
    conn: &mut DbConnection,
    user_id: i64,
    secret: &str,
    step: i64,
    code_hashes: &[String],
    now: NaiveDateTime,
) -> Result<(), AppError> {
    super::write_tx(conn, |conn| {
        diesel::delete(two_factor::table.find(user_id)).execute(conn)?;
        diesel::insert_into(two_factor::table)
            .values((
                two_factor::user_id.eq(user_id),
                two_factor::secret.eq(secret),
                two_factor::last_step.eq(step),
                two_factor::enabled_at.eq(now),
            ))
            .execute(conn)?;
        replace_recovery_codes(conn, user_id, code_hashes)
    })
}

/// New recovery codes; the old ones stop working.
pub fn replace_recovery_codes(
    conn: &mut DbConnection,
    user_id: i64,
    code_hashes: &[String],
) -> Result<(), AppError> {
    super::write_tx(conn, |conn| {
        diesel::delete(recovery_codes::table.filter(recovery_codes::user_id.eq(user_id)))
            .execute(conn)?;
        for hash in code_hashes {
            diesel::insert_into(recovery_codes::table)
                .values((
                    recovery_codes::user_id.eq(user_id),
                    recovery_codes::code_hash.eq(hash),
                ))
                .execute(conn)?;
        }
        Ok(())
    })
}

/// Turns two-factor login off and drops the recovery codes.
pub fn disable(conn: &mut DbConnection, user_id: i64) -> Result<bool, AppError> {
    super::write_tx(conn, |conn| {
        diesel::delete(recovery_codes::table.filter(recovery_codes::user_id.eq(user_id)))
            .execute(conn)?;
        Ok(diesel::delete(two_factor::table.find(user_id)).execute(conn)? > 0)
    })
}

/// Accepts a code of `step` once: true only for the first use of a step later
/// than any accepted before (so a code seen over a shoulder cannot be replayed).
pub fn accept_step(conn: &mut DbConnection, user_id: i64, step: i64) -> Result<bool, AppError> {
    Ok(diesel::update(
        two_factor::table
            .find(user_id)
            .filter(two_factor::last_step.lt(step)),
    )
    .set(two_factor::last_step.eq(step))
    .execute(conn)?
        == 1)
}

/// Uses a recovery code: true when it was the user's and unused.
pub fn use_recovery_code(
    conn: &mut DbConnection,
    user_id: i64,
    hash: &str,
    now: NaiveDateTime,
) -> Result<bool, AppError> {
    Ok(diesel::update(
        recovery_codes::table
            .filter(recovery_codes::user_id.eq(user_id))
            .filter(recovery_codes::code_hash.eq(hash))
            .filter(recovery_codes::used_at.is_null()),
    )
    .set(recovery_codes::used_at.eq(now))
    .execute(conn)?
        == 1)
}

pub fn recovery_codes_left(conn: &mut DbConnection, user_id: i64) -> Result<i64, AppError> {
    Ok(recovery_codes::table
        .filter(recovery_codes::user_id.eq(user_id))
        .filter(recovery_codes::used_at.is_null())
        .count()
        .get_result(conn)?)
}

/// Ids of users who have two-factor login on.
pub fn enrolled(conn: &mut DbConnection) -> Result<Vec<i64>, AppError> {
    Ok(two_factor::table.select(two_factor::user_id).load(conn)?)
}

/// Whether administrators and leaders must use two-factor login.
pub fn required(conn: &mut DbConnection) -> Result<bool, AppError> {
    Ok(
        super::settings::get(conn, crate::domain::two_factor::REQUIRED_SETTING)?.as_deref()
            == Some("1"),
    )
}

/// An administrator or leader: id, username, full name, role, and whether
/// two-factor login is on.
pub type Concerned = (i64, String, String, String, bool);

/// Active administrators and leaders, with whether each has two-factor login on.
pub fn concerned_users(conn: &mut DbConnection) -> Result<Vec<Concerned>, AppError> {
    use super::schema::users;
    let rows: Vec<(i64, String, String, String, Option<i64>)> = users::table
        .left_join(two_factor::table.on(two_factor::user_id.eq(users::id)))
        .filter(users::active.eq(true))
        .filter(users::role.eq_any(["admin", "leader"]))
        .filter(users::username.ne(super::users::SYSTEM_USERNAME))
        .order(users::username.asc())
        .select((
            users::id,
            users::username,
            users::full_name,
            users::role,
            two_factor::user_id.nullable(),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, u, n, r, tf)| (id, u, n, r, tf.is_some()))
        .collect())
}
