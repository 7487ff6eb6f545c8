//! Supplement requests (Mẫu 02) and refusals (Mẫu 03) issued at reception
//! instead of accepting a dossier.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{counter_notices, offices, procedures, users};
use super::DbConnection;
use crate::error::AppError;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = counter_notices)]
pub struct CounterNotice {
    pub id: i64,
    pub office_id: i64,
    pub procedure_id: i64,
    pub kind: String,
    pub number: String,
    pub channel: String,
    pub applicant_name: String,
    pub applicant_folded: String,
    pub representative: Option<String>,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    /// JSON list of `{name, form, count}`.
    pub missing: String,
    pub reason: String,
    pub contact_phone: Option<String>,
    pub user_id: i64,
    pub at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = counter_notices)]
pub struct NewCounterNotice<'a> {
    pub office_id: i64,
    pub procedure_id: i64,
    pub kind: &'a str,
    pub number: &'a str,
    pub channel: &'a str,
    pub applicant_name: &'a str,
    pub applicant_folded: &'a str,
    pub representative: Option<&'a str>,
    pub id_number: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub email: Option<&'a str>,
    pub address: Option<&'a str>,
    pub missing: &'a str,
    pub reason: &'a str,
    pub contact_phone: Option<&'a str>,
    pub user_id: i64,
    pub at: NaiveDateTime,
}

/// A notice with what its printout needs besides itself.
#[derive(Debug, Clone, Queryable)]
pub struct NoticeRow {
    pub notice: CounterNotice,
    pub procedure_code: String,
    pub procedure_name: String,
    pub office_code: String,
    pub office_name: String,
    pub office_parent_id: Option<i64>,
    pub staff_name: String,
}

impl CounterNotice {
    pub fn insert(
        conn: &mut DbConnection,
        new: &NewCounterNotice<'_>,
    ) -> Result<CounterNotice, AppError> {
        Ok(diesel::insert_into(counter_notices::table)
            .values(new)
            .get_result::<CounterNotice>(conn)?)
    }

    pub fn find(conn: &mut DbConnection, id: i64) -> Result<Option<NoticeRow>, AppError> {
        Ok(counter_notices::table
            .inner_join(procedures::table)
            .inner_join(offices::table.on(offices::id.eq(counter_notices::office_id)))
            .inner_join(users::table.on(users::id.eq(counter_notices::user_id)))
            .filter(counter_notices::id.eq(id))
            .select((
                CounterNotice::as_select(),
                procedures::code,
                procedures::name,
                offices::code,
                offices::name,
                offices::parent_id,
                users::full_name,
            ))
            .first(conn)
            .optional()?)
    }

    /// Notices of the given offices issued in [from, before), newest first.
    pub fn list(
        conn: &mut DbConnection,
        office_ids: &[i64],
        from: NaiveDateTime,
        before: NaiveDateTime,
        limit: i64,
    ) -> Result<Vec<CounterNotice>, AppError> {
        Ok(counter_notices::table
            .filter(counter_notices::office_id.eq_any(office_ids.to_vec()))
            .filter(counter_notices::at.ge(from))
            .filter(counter_notices::at.lt(before))
            .select(CounterNotice::as_select())
            .order(counter_notices::id.desc())
            .limit(limit)
            .load(conn)?)
    }
}
