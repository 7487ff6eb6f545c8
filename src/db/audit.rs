//! The audit trail of administrative changes (users, offices, settings).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::audit_events;
use super::DbConnection;
use crate::error::AppError;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_events)]
pub struct AuditEvent {
    pub id: i64,
    pub at: NaiveDateTime,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub detail: String,
}

pub fn record(
    conn: &mut DbConnection,
    at: NaiveDateTime,
    actor: &str,
    action: &str,
    subject: &str,
    detail: &str,
) -> Result<(), AppError> {
    diesel::insert_into(audit_events::table)
        .values((
            audit_events::at.eq(at),
            audit_events::actor.eq(actor),
            audit_events::action.eq(action),
            audit_events::subject.eq(subject),
            audit_events::detail.eq(detail),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn recent(conn: &mut DbConnection, limit: i64) -> Result<Vec<AuditEvent>, AppError> {
    Ok(audit_events::table
        .select(AuditEvent::as_select())
        .order(audit_events::id.desc())
        .limit(limit)
        .load(conn)?)
}
