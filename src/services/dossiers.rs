//! Reading dossiers: one dossier with everything about it, lists, which
//! offices a staff member may see (their office and the offices below it),
//! and the dossier a search entry or a scanned QR link names.

use chrono::{NaiveDate, NaiveDateTime};

use crate::db::dossiers::{
    DeadlineRecord, Dossier, DossierDocument, DossierEvent, DossierFilter, DossierRow,
};
use crate::db::offices::Office;
use crate::db::procedures::Procedure;
use crate::db::users::User;
use crate::db::DbConnection;
use crate::domain::dossier::{is_overdue, Status};
use crate::error::AppError;

/// The offices whose dossiers `office_id`'s staff may see.
pub fn visible_offices(conn: &mut DbConnection, office_id: i64) -> Result<Vec<i64>, AppError> {
    Office::subtree_ids(conn, office_id)
}

/// A dossier with everything its page, its printouts and the API show.
#[derive(Debug, Clone)]
pub struct DossierDetail {
    pub dossier: Dossier,
    pub procedure: Procedure,
    pub office: Office,
    pub parent_office: Option<Office>,
    pub documents: Vec<DossierDocument>,
    pub events: Vec<DossierEvent>,
    pub deadlines: Vec<DeadlineRecord>,
    /// The assigned officer's username (the API's `assignee`).
    pub assignee: Option<String>,
    /// The assigned officer's full name (the pages).
    pub assignee_name: Option<String>,
    pub received_by: User,
    /// The news sent (or waiting) to the applicant.
    pub messages: Vec<crate::db::outbox::OutboxMessage>,
}

impl DossierDetail {
    pub fn status(&self) -> Status {
        Status::parse(&self.dossier.status).unwrap_or(Status::Received)
    }

    pub fn overdue(&self, today: NaiveDate) -> bool {
        !self.dossier.voided && is_overdue(self.status(), self.dossier.due_date, today)
    }
}

/// Loads a dossier by code if `visible` holds its office (otherwise `None`,
/// as if it did not exist).
pub fn load_by_code(
    conn: &mut DbConnection,
    code: &str,
    visible: &[i64],
) -> Result<Option<DossierDetail>, AppError> {
    match Dossier::find_by_code(conn, code.trim())? {
        Some(d) if visible.contains(&d.office_id) => Ok(Some(load(conn, d)?)),
        _ => Ok(None),
    }
}

pub fn load(conn: &mut DbConnection, dossier: Dossier) -> Result<DossierDetail, AppError> {
    load_parts(conn, dossier, true)
}

/// `load` for the API's answer, which shows neither the parent office, the
/// deadline records nor the messages: those are left empty.
pub fn load_for_api(conn: &mut DbConnection, dossier: Dossier) -> Result<DossierDetail, AppError> {
    load_parts(conn, dossier, false)
}

fn load_parts(
    conn: &mut DbConnection,
    dossier: Dossier,
    everything: bool,
) -> Result<DossierDetail, AppError> {
    let procedure = Procedure::find(conn, dossier.procedure_id)?;
    let office = Office::find(conn, dossier.office_id)?;
    let parent_office = match office.parent_id.filter(|_| everything) {
        Some(p) => Some(Office::find(conn, p)?),
        None => None,
    };
    let documents = Dossier::documents(conn, dossier.id)?;
    let events = Dossier::events(conn, dossier.id)?;
    let deadlines = match everything {
        true => Dossier::deadlines(conn, dossier.id)?,
        false => Vec::new(),
    };
    let assignee = dossier.assignee_username(conn)?;
    let assignee_name = match dossier.assignee_id {
        Some(uid) => Some(User::find(conn, uid)?.full_name),
        None => None,
    };
    let received_by = User::find(conn, dossier.received_by)?;
    let messages = match everything {
        true => crate::db::outbox::of_dossier(conn, dossier.id)?,
        false => Vec::new(),
    };
    Ok(DossierDetail {
        dossier,
        procedure,
        office,
        parent_office,
        documents,
        events,
        deadlines,
        assignee,
        assignee_name,
        received_by,
        messages,
    })
}

/// Lists dossiers of the visible offices.
pub fn list(
    conn: &mut DbConnection,
    filter: &DossierFilter,
    offset: i64,
    limit: i64,
) -> Result<(Vec<DossierRow>, i64), AppError> {
    Dossier::list(conn, filter, offset, limit)
}

/// The start of a local day as a UTC time.
pub fn day_start_utc(day: NaiveDate) -> NaiveDateTime {
    crate::domain::time::local_to_utc(day.and_hms_opt(0, 0, 0).expect("midnight"))
}

/// The citizen's status page of a dossier (printed as the receipt's QR code).
pub fn lookup_url(public_url: &str, token: &str) -> String {
    format!("{}/tra-cuu/{token}", public_url.trim_end_matches('/'))
}

/// The dossier a search box entry points at: a code, or the status link of
/// a receipt's QR code (a scanner types the whole URL).
pub fn token_in(q: &str) -> Option<&str> {
    let at = q.find("/tra-cuu/")? + "/tra-cuu/".len();
    let token = q[at..].trim().trim_end_matches('/');
    let token = token.split(['?', '#']).next().unwrap_or("");
    (!token.is_empty()).then_some(token)
}

/// Finds the dossier a search entry names (code or QR link) among `visible`.
pub fn find_entry(
    conn: &mut crate::db::DbConnection,
    q: &str,
    visible: &[i64],
) -> Result<Option<String>, AppError> {
    let found = match token_in(q) {
        Some(token) => crate::db::dossiers::Dossier::find_by_token(conn, token)?,
        None => crate::db::dossiers::Dossier::find_by_code(conn, &q.trim().to_uppercase())?,
    };
    Ok(found
        .filter(|d| visible.contains(&d.office_id))
        .map(|d| d.code))
}
