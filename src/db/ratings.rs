//! Citizens' ratings of the service, one per dossier, kept with the office,
//! the officer and the procedure for statistics.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::ratings;
use super::DbConnection;
use crate::error::AppError;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = ratings)]
pub struct Rating {
    pub id: i64,
    pub dossier_id: i64,
    pub office_id: i64,
    pub procedure_id: i64,
    pub officer_id: Option<i64>,
    pub level: String,
    pub comment: String,
    pub at: NaiveDateTime,
    pub recorded_by: i64,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = ratings)]
pub struct NewRating<'a> {
    pub dossier_id: i64,
    pub office_id: i64,
    pub procedure_id: i64,
    pub officer_id: Option<i64>,
    pub level: &'a str,
    pub comment: &'a str,
    pub at: NaiveDateTime,
    pub recorded_by: i64,
}

impl Rating {
    pub fn insert(conn: &mut DbConnection, new: &NewRating<'_>) -> Result<(), AppError> {
        diesel::insert_into(ratings::table)
            .values(new)
            .execute(conn)?;
        Ok(())
    }

    pub fn of_dossier(
        conn: &mut DbConnection,
        dossier_id: i64,
    ) -> Result<Option<Rating>, AppError> {
        Ok(ratings::table
            .filter(ratings::dossier_id.eq(dossier_id))
            .select(Rating::as_select())
            .first(conn)
            .optional()?)
    }

    /// Ratings of these offices given in [from, before).
    pub fn between(
        conn: &mut DbConnection,
        office_ids: &[i64],
        from: NaiveDateTime,
        before: NaiveDateTime,
    ) -> Result<Vec<Rating>, AppError> {
        Ok(ratings::table
            .filter(ratings::office_id.eq_any(office_ids.to_vec()))
            .filter(ratings::at.ge(from))
            .filter(ratings::at.lt(before))
            .select(Rating::as_select())
            .order(ratings::at.desc())
            .load(conn)?)
    }
}
