//! The use cases: receiving, processing and returning dossiers, the catalog,
//! the calendar, administration, seeding, exports, the demo. Each action is
//! one transaction taking an actor and plain inputs; no HTTP types here.

pub mod administration;
pub mod calendar;
pub mod catalog;
pub mod citizens;
pub mod dashboards;
pub mod delivery;
pub mod demo;
pub mod dossiers;
pub mod export;
pub mod feedback;
pub mod files;
pub mod generate;
pub mod notifications;
pub mod passwords;
pub mod personal_data;
pub mod processing;
pub mod reception;
pub mod reports;
pub mod returns;
pub mod seed;
pub mod submissions;
pub mod two_factor;

/// Who acts: a staff member (the web layer makes one from the signed-in
/// user), or the system itself for seeding and the demo.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: i64,
    pub username: String,
    pub full_name: String,
    pub office_id: i64,
    pub role: crate::domain::Role,
}

impl Actor {
    /// The system's own account, named `label` in the audit trail: for what
    /// runs with nobody signed in (seeding, the command line, the demo).
    pub fn system(
        conn: &mut crate::db::DbConnection,
        label: &str,
    ) -> Result<Actor, crate::error::AppError> {
        let user =
            crate::db::users::User::find_by_username(conn, crate::db::users::SYSTEM_USERNAME)?
                .ok_or_else(|| crate::error::AppError::Internal("no system account".into()))?;
        Ok(Actor {
            user_id: user.id,
            username: label.to_string(),
            full_name: user.full_name,
            office_id: user.office_id,
            role: crate::domain::Role::Admin,
        })
    }
}
