//! Checking a username and password, shared by the login page and the API.

use chrono::NaiveDateTime;

use super::password;
use super::throttle::{address_key, address_wait_after, user_key, wait_after};
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
pub async fn attempt(
    state: &AppState,
    username: &str,
    password_typed: &str,
    address: &str,
) -> Result<User, LoginError> {
    let username = username.trim().to_lowercase();
    let password_typed = password_typed.to_string();
    let ukey = user_key(&username);
    let akey = address_key(address);
    let dummy = state.dummy_hash.clone();
    let outcome = state
        .db
        .run(move |conn| {
            let now = now_utc();
            let blocked = [
                login_failures::blocked_until(conn, &ukey, now)?,
                login_failures::blocked_until(conn, &akey, now)?,
            ]
            .into_iter()
            .flatten()
            .max();
            if let Some(until) = blocked {
                return Ok(Err(LoginError::Blocked(until)));
            }
            let user = User::find_by_username(conn, &username)?;
            // Verify even for an unknown user, so timing does not reveal which names exist.
            let hash = user
                .as_ref()
                .map(|u| u.password_hash.as_str())
                .unwrap_or(&dummy);
            let ok = password::verify(&password_typed, hash);
            match user {
                Some(u) if ok && u.active => {
                    login_failures::clear(conn, &ukey)?;
                    Ok(Ok(u))
                }
                _ => {
                    let now = now_utc();
                    let n = login_failures::record_failure(conn, &ukey, now, wait_after)?;
                    login_failures::record_failure(conn, &akey, now, address_wait_after)?;
                    tracing::info!(failures = n, "login refused");
                    Ok(Err(LoginError::Wrong))
                }
            }
        })
        .await?;
    outcome
}
