//! Seeding, on every start after the migrations: on the first, a default
//! office, the `admin` and system accounts and the session key shared by
//! every instance; on each, the procedure catalog and the official holiday
//! schedules that are new.

use chrono::NaiveDateTime;

use crate::db::offices::{NewOffice, Office};
use crate::db::users::{NewUser, User};
use crate::db::{settings, DbConnection};
use crate::domain::Role;
use crate::error::AppError;

pub const DEFAULT_OFFICE_CODE: &str = "000.00.00.H00";
pub const DEFAULT_OFFICE_NAME: &str = "Cơ quan thi hành án dân sự";
const SESSION_KEY_SETTING: &str = "session_key";

/// What seeding made, for the console.
pub struct Seeded {
    /// The admin password generated on this start, to print once.
    pub generated_admin_password: Option<String>,
    /// The session key in force (from the environment or the database).
    pub session_secret: String,
}

/// Seeds a migrated database (the caller holds the startup lock, so that
/// several instances starting together seed once).
pub fn on_start(
    conn: &mut DbConnection,
    admin_password: Option<&str>,
    secret_from_env: Option<&str>,
    hash_password: impl Fn(&str) -> Result<String, AppError>,
    now: NaiveDateTime,
) -> Result<Seeded, AppError> {
    let office_id = match Office::find_by_code(conn, DEFAULT_OFFICE_CODE)? {
        Some(o) => o.id,
        None if Office::count(conn)? == 0 => {
            Office::insert(
                conn,
                &NewOffice {
                    code: DEFAULT_OFFICE_CODE,
                    name: DEFAULT_OFFICE_NAME,
                    parent_id: None,
                    active: true,
                    created_at: now,
                },
            )?
            .id
        }
        None => Office::all(conn)?
            .first()
            .map(|o| o.id)
            .ok_or_else(|| AppError::Startup("Không có đơn vị nào.".into()))?,
    };
    let mut generated_admin_password = None;
    if User::find_by_username(conn, "admin")?.is_none() {
        let password = match admin_password {
            Some(p) if !p.is_empty() => {
                crate::domain::user::NewPassword::parse(p).map_err(|m| {
                    AppError::Startup(format!("MOTCUA_ADMIN_PASSWORD không dùng được: {m}"))
                })?;
                p.to_string()
            }
            _ => {
                let p = crate::services::passwords::generate();
                generated_admin_password = Some(p.clone());
                p
            }
        };
        let hash = hash_password(&password)?;
        User::insert(
            conn,
            &NewUser {
                username: "admin",
                full_name: "Quản trị hệ thống",
                password_hash: &hash,
                role: Role::Admin.as_str(),
                office_id,
                active: true,
                session_epoch: 0,
                must_change_password: generated_admin_password.is_some(),
                created_at: now,
                updated_at: now,
            },
        )?;
        crate::db::audit::record(
            conn,
            now,
            "hệ thống",
            "user.create",
            "admin",
            "Tạo tài khoản quản trị lần đầu",
        )?;
    }
    if User::find_by_username(conn, crate::db::users::SYSTEM_USERNAME)?.is_none() {
        User::insert(
            conn,
            &NewUser {
                username: crate::db::users::SYSTEM_USERNAME,
                full_name: crate::db::users::SYSTEM_FULL_NAME,
                // Not a hash: no password can match it.
                password_hash: "!",
                role: Role::Admin.as_str(),
                office_id,
                active: false,
                session_epoch: 0,
                must_change_password: false,
                created_at: now,
                updated_at: now,
            },
        )?;
    }
    crate::services::catalog::seed(conn, now)?;
    let calendar = crate::services::calendar::seed(conn, now)?;
    crate::services::reports::backfill_timeliness(conn)?;
    if !calendar.replaced.is_empty() || !calendar.offered.is_empty() {
        tracing::info!(
            replaced = ?calendar.replaced,
            offered = ?calendar.offered,
            "official holiday schedules updated"
        );
    }
    let session_secret = match secret_from_env {
        Some(s) if !s.is_empty() => s.to_string(),
        _ => settings::get_or_insert(
            conn,
            SESSION_KEY_SETTING,
            &crate::services::passwords::random_token(64),
        )?,
    };
    Ok(Seeded {
        generated_admin_password,
        session_secret,
    })
}
