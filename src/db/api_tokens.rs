//! Opaque API bearer tokens: only their SHA-256 is stored.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::api_tokens;
use super::DbConnection;
use crate::error::AppError;

pub struct ApiToken;

impl ApiToken {
    pub fn insert(
        conn: &mut DbConnection,
        token_hash: &str,
        user_id: i64,
        now: NaiveDateTime,
        expires_at: NaiveDateTime,
    ) -> Result<(), AppError> {
        diesel::insert_into(api_tokens::table)
            .values((
                api_tokens::token_hash.eq(token_hash),
                api_tokens::user_id.eq(user_id),
                api_tokens::created_at.eq(now),
                api_tokens::expires_at.eq(expires_at),
            ))
            .execute(conn)?;
        Ok(())
    }

    /// The user id of a token that has not expired.
    pub fn user_of(
        conn: &mut DbConnection,
        token_hash: &str,
        now: NaiveDateTime,
    ) -> Result<Option<i64>, AppError> {
        Ok(api_tokens::table
            .filter(api_tokens::token_hash.eq(token_hash))
            .filter(api_tokens::expires_at.gt(now))
            .select(api_tokens::user_id)
            .first(conn)
            .optional()?)
    }

    pub fn revoke_all(conn: &mut DbConnection, user_id: i64) -> Result<(), AppError> {
        diesel::delete(api_tokens::table.filter(api_tokens::user_id.eq(user_id))).execute(conn)?;
        Ok(())
    }

    pub fn delete_expired(conn: &mut DbConnection, now: NaiveDateTime) -> Result<usize, AppError> {
        Ok(
            diesel::delete(api_tokens::table.filter(api_tokens::expires_at.le(now)))
                .execute(conn)?,
        )
    }
}
