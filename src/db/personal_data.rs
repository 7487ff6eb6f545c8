//! The personal-data access log and the retention purge.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{
    counter_notices, dossier_files, dossiers, outbox, personal_data_log, stored_files,
};
use super::DbConnection;
use crate::domain::personal_data::PURGED_NAME;
use crate::error::AppError;

/// One logged use of applicants' details.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = personal_data_log)]
pub struct Entry {
    pub id: i64,
    pub at: NaiveDateTime,
    pub user_id: i64,
    pub username: String,
    pub office_id: i64,
    pub action: String,
    pub dossier_code: Option<String>,
    pub what: String,
    pub dossiers: i64,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = personal_data_log)]
pub struct NewEntry {
    pub at: NaiveDateTime,
    pub user_id: i64,
    pub username: String,
    pub office_id: i64,
    pub action: String,
    pub dossier_code: Option<String>,
    pub what: String,
    pub dossiers: i64,
}

pub fn record(conn: &mut DbConnection, entry: &NewEntry) -> Result<(), AppError> {
    diesel::insert_into(personal_data_log::table)
        .values(entry)
        .execute(conn)?;
    Ok(())
}

/// Entries for a dossier code and/or a username (empty: any), newest first.
pub fn list(
    conn: &mut DbConnection,
    dossier_code: &str,
    username: &str,
    offset: i64,
    limit: i64,
) -> Result<(Vec<Entry>, i64), AppError> {
    let mut count = personal_data_log::table.into_boxed();
    let mut rows = personal_data_log::table.into_boxed();
    if !dossier_code.trim().is_empty() {
        let code = dossier_code.trim().to_uppercase();
        count = count.filter(personal_data_log::dossier_code.eq(code.clone()));
        rows = rows.filter(personal_data_log::dossier_code.eq(code));
    }
    if !username.trim().is_empty() {
        let name = username.trim().to_lowercase();
        count = count.filter(personal_data_log::username.eq(name.clone()));
        rows = rows.filter(personal_data_log::username.eq(name));
    }
    let total = count.count().get_result(conn)?;
    let rows = rows
        .order(personal_data_log::id.desc())
        .offset(offset)
        .limit(limit)
        .select(Entry::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// Erases the applicant's details of dossiers closed (returned, withdrawn,
/// not accepted or voided) before `cutoff` (5,000 at a time): names, ID
/// numbers, contacts and addresses on the dossier, the bodies and
/// addresses of its notifications, and the contents of its files. What the
/// statistics and the period report count (procedure, office, channel,
/// dates, status, outcome, timeliness) stays. Counter notices older than `cutoff` lose theirs too. Returns how
/// many dossiers.
pub fn purge_closed_before(
    conn: &mut DbConnection,
    cutoff: NaiveDateTime,
    now: NaiveDateTime,
) -> Result<usize, AppError> {
    super::write_tx(conn, |conn| {
        let ids: Vec<i64> = dossiers::table
            .filter(dossiers::personal_data_purged_at.is_null())
            .filter(
                dossiers::status
                    .eq_any(["delivered", "withdrawn", "not_accepted"])
                    .or(dossiers::voided.eq(true)),
            )
            .filter(dossiers::updated_at.lt(cutoff))
            .select(dossiers::id)
            .limit(5_000)
            .load(conn)?;
        // Counter notices (refusals, supplement requests) belong to no
        // dossier: they go by their own date.
        diesel::update(
            counter_notices::table
                .filter(counter_notices::at.lt(cutoff))
                .filter(counter_notices::applicant_name.ne(PURGED_NAME)),
        )
        .set((
            counter_notices::applicant_name.eq(PURGED_NAME),
            counter_notices::applicant_folded.eq(""),
            counter_notices::representative.eq(None::<String>),
            counter_notices::id_number.eq(None::<String>),
            counter_notices::phone.eq(None::<String>),
            counter_notices::email.eq(None::<String>),
            counter_notices::address.eq(None::<String>),
        ))
        .execute(conn)?;
        if ids.is_empty() {
            return Ok(0);
        }
        diesel::update(dossiers::table.filter(dossiers::id.eq_any(&ids)))
            .set((
                dossiers::applicant_name.eq(PURGED_NAME),
                dossiers::applicant_folded.eq(""),
                dossiers::representative.eq(None::<String>),
                dossiers::id_number.eq(None::<String>),
                dossiers::phone.eq(""),
                dossiers::email.eq(None::<String>),
                dossiers::address.eq(""),
                dossiers::postal_address.eq(None::<String>),
                dossiers::note.eq(""),
                dossiers::recipient_name.eq(None::<String>),
                dossiers::recipient_id_number.eq(None::<String>),
                dossiers::recipient_authorisation.eq(None::<String>),
                dossiers::personal_data_purged_at.eq(now),
            ))
            .execute(conn)?;
        diesel::update(outbox::table.filter(outbox::dossier_id.eq_any(&ids)))
            .set((outbox::recipient.eq(""), outbox::body.eq("")))
            .execute(conn)?;
        let files: Vec<i64> = dossier_files::table
            .filter(dossier_files::dossier_id.eq_any(&ids))
            .select(dossier_files::file_id)
            .load(conn)?;
        diesel::update(stored_files::table.filter(stored_files::id.eq_any(&files)))
            .set(stored_files::bytes.eq(Vec::<u8>::new()))
            .execute(conn)?;
        Ok(ids.len())
    })
}
