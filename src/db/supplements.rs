//! Supplement requests made during processing (Mẫu 02), one row each.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{dossier_supplements, users};
use super::DbConnection;
use crate::error::AppError;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = dossier_supplements)]
pub struct Supplement {
    pub id: i64,
    pub dossier_id: i64,
    pub number: i32,
    pub requested_at: NaiveDateTime,
    pub requested_by: i64,
    /// JSON list of `{name, form, count}`.
    pub missing: String,
    pub note: String,
    pub late: bool,
    pub received_at: Option<NaiveDateTime>,
    pub received_by: Option<i64>,
}

impl Supplement {
    #[allow(clippy::too_many_arguments)]
    pub fn insert(
        conn: &mut DbConnection,
        dossier_id: i64,
        number: i32,
        at: NaiveDateTime,
        by: i64,
        missing: &str,
        note: &str,
        late: bool,
    ) -> Result<(), AppError> {
        diesel::insert_into(dossier_supplements::table)
            .values((
                dossier_supplements::dossier_id.eq(dossier_id),
                dossier_supplements::number.eq(number),
                dossier_supplements::requested_at.eq(at),
                dossier_supplements::requested_by.eq(by),
                dossier_supplements::missing.eq(missing),
                dossier_supplements::note.eq(note),
                dossier_supplements::late.eq(late),
            ))
            .execute(conn)?;
        Ok(())
    }

    pub fn mark_received(
        conn: &mut DbConnection,
        dossier_id: i64,
        number: i32,
        at: NaiveDateTime,
        by: i64,
    ) -> Result<(), AppError> {
        diesel::update(
            dossier_supplements::table
                .filter(dossier_supplements::dossier_id.eq(dossier_id))
                .filter(dossier_supplements::number.eq(number)),
        )
        .set((
            dossier_supplements::received_at.eq(Some(at)),
            dossier_supplements::received_by.eq(Some(by)),
        ))
        .execute(conn)?;
        Ok(())
    }

    /// The requests of a dossier with who made each.
    pub fn of_dossier(
        conn: &mut DbConnection,
        dossier_id: i64,
    ) -> Result<Vec<(Supplement, String)>, AppError> {
        Ok(dossier_supplements::table
            .inner_join(users::table.on(users::id.eq(dossier_supplements::requested_by)))
            .filter(dossier_supplements::dossier_id.eq(dossier_id))
            .select((Supplement::as_select(), users::full_name))
            .order(dossier_supplements::number.asc())
            .load(conn)?)
    }
}
