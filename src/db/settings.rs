//! Installation-wide settings kept in the database (shared by every instance).

use diesel::prelude::*;

use super::schema::settings;
use super::DbConnection;
use crate::error::AppError;

pub fn get(conn: &mut DbConnection, key: &str) -> Result<Option<String>, AppError> {
    Ok(settings::table
        .find(key)
        .select(settings::value)
        .first(conn)
        .optional()?)
}

/// Stores `value` under `key` unless a value is there already; returns the value in force.
/// Instances racing here all end up with the first value written.
pub fn get_or_insert(conn: &mut DbConnection, key: &str, value: &str) -> Result<String, AppError> {
    super::write_tx(conn, |conn| {
        if let Some(existing) = get(conn, key)? {
            return Ok(existing);
        }
        diesel::insert_into(settings::table)
            .values((settings::key.eq(key), settings::value.eq(value)))
            .execute(conn)?;
        Ok(value.to_string())
    })
}

/// Stores `value` under `key`, replacing any value.
pub fn set(conn: &mut DbConnection, key: &str, value: &str) -> Result<(), AppError> {
    let updated = diesel::update(settings::table.find(key))
        .set(settings::value.eq(value))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(settings::table)
            .values((settings::key.eq(key), settings::value.eq(value)))
            .execute(conn)?;
    }
    Ok(())
}
