//! Checking a username and password, shared by the login page and the API.

use chrono::NaiveDateTime;

use crate::db::login_failures;
use crate::db::users::User;
use crate::db::{retry_on_conflict, write_tx};
use crate::domain::throttle::{
    address_delay, address_key, never_blocked, user_at_address_key, user_key, username_delay,
    wait_after, MAX_KEY_PART,
};
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

/// Verifies the credentials; counts attempts per username at the address
/// (the count that blocks), per username and per address (counts that slow).
/// Every attempt is counted before its password is checked, so attempts sent
/// in parallel cannot slip past a block; a success clears them. The database
/// is never held during the check: argon2 runs on the blocking pool, a
/// bounded number at a time.
pub async fn attempt(
    state: &AppState,
    username: &str,
    password_typed: &str,
    address: &str,
) -> Result<User, LoginError> {
    let username = username.trim().to_lowercase();
    let address: String = address.chars().take(MAX_KEY_PART).collect();
    if username.is_empty() || username.chars().count() > MAX_KEY_PART {
        // No account has such a name: nothing worth counting.
        return Err(LoginError::Wrong);
    }
    let pair_key = user_at_address_key(&username, &address);
    let ukey = user_key(&username);
    let akey = address_key(&address);
    let keys = (pair_key.clone(), ukey.clone(), akey.clone());
    let counted = state
        .db
        .run(move |conn| {
            let now = now_utc();
            let counted = retry_on_conflict(conn, |conn| {
                write_tx(conn, |conn| {
                    let pair = login_failures::count_attempt(conn, &keys.0, now, wait_after)?;
                    if pair.blocked_until.is_some() {
                        return Ok((pair, 0, 0));
                    }
                    let user = login_failures::count_attempt(conn, &keys.1, now, never_blocked)?;
                    let addr = login_failures::count_attempt(conn, &keys.2, now, never_blocked)?;
                    Ok((pair, user.failures, addr.failures))
                })
            })?;
            let user = User::find_by_username(conn, &username)?;
            Ok((counted, user))
        })
        .await?;
    let ((pair, user_failures, address_failures), user) = counted;
    if let Some(until) = pair.blocked_until {
        return Err(LoginError::Blocked(until));
    }
    // A username or an address that keeps failing is slowed, never locked out.
    let delay = [
        username_delay(user_failures - 1),
        address_delay(address_failures - 1),
    ]
    .into_iter()
    .flatten()
    .max();
    if let Some(delay) = delay {
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
                    login_failures::clear(conn, &pair_key)?;
                    login_failures::clear(conn, &ukey)?;
                    login_failures::clear(conn, &akey)
                })
                .await?;
            Ok(u)
        }
        _ => {
            state
                .db
                .run(|conn| login_failures::delete_old(conn, now_utc()))
                .await?;
            tracing::info!(failures = pair.failures, "login refused");
            Err(LoginError::Wrong)
        }
    }
}
