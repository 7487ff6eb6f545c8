//! Checking a username and password, shared by the login page and the API.

use chrono::NaiveDateTime;

use super::throttle::{address_delay, address_key, never_blocked, user_key, wait_after};
use crate::db::login_failures;
use crate::db::users::User;
use crate::domain::time::now_utc;
use crate::error::AppError;
use crate::state::AppState;

pub enum LoginError {
    /// Wrong username or password, or an inactive account: one message for all.
    Wrong,
    /// Too many wrong passwords: try again after this time (UTC).
    Blocked(NaiveDateTime),
    Failed(AppError),
}

impl From<AppError> for LoginError {
    fn from(e: AppError) -> Self {
        LoginError::Failed(e)
    }
}

/// Verifies the credentials; counts failures per username and per address.
/// The database is used before and after the password check, never held
/// during it: argon2 runs on the blocking pool, a bounded number at a time.
pub async fn attempt(
    state: &AppState,
    username: &str,
    password_typed: &str,
    address: &str,
) -> Result<User, LoginError> {
    let username = username.trim().to_lowercase();
    let ukey = user_key(&username);
    let akey = address_key(address);
    let (ukey2, akey2) = (ukey.clone(), akey.clone());
    let (blocked, address_failures, user) = state
        .db
        .run(move |conn| {
            let now = now_utc();
            Ok((
                login_failures::blocked_until(conn, &ukey2, now)?,
                login_failures::recent_failures(conn, &akey2, now)?,
                User::find_by_username(conn, &username)?,
            ))
        })
        .await?;
    if let Some(until) = blocked {
        return Err(LoginError::Blocked(until));
    }
    // An address that keeps failing is slowed, never locked out.
    if let Some(delay) = address_delay(address_failures) {
        actix_web::rt::time::sleep(delay).await;
    }
    // Verify even for an unknown user, so timing does not reveal which names exist.
    let hash = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| state.dummy_hash.clone());
    let ok = state.hashing.verify(password_typed, &hash).await?;
    match user {
        Some(u) if ok && u.active => {
            state
                .db
                .run(move |conn| {
                    login_failures::clear(conn, &ukey)?;
                    login_failures::clear(conn, &akey)
                })
                .await?;
            Ok(u)
        }
        _ => {
            let n = state
                .db
                .run(move |conn| {
                    let now = now_utc();
                    let n = login_failures::record_failure(conn, &ukey, now, wait_after)?;
                    login_failures::record_failure(conn, &akey, now, never_blocked)?;
                    Ok(n)
                })
                .await?;
            tracing::info!(failures = n, "login refused");
            Err(LoginError::Wrong)
        }
    }
}
