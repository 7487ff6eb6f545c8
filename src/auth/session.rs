//! What the encrypted session cookie holds, and flash messages.

use actix_session::Session;
use serde::{Deserialize, Serialize};

/// The session cookie's name.
pub const COOKIE: &str = "motcua_session";

use crate::error::AppError;

const SID: &str = "sid";
const USER_ID: &str = "uid";
const EPOCH: &str = "epoch";
const SEEN: &str = "seen";
const FLASH: &str = "flash";

/// A one-time message shown on the next page.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Flash {
    /// `success`, `info` or `error`.
    pub kind: String,
    pub text: String,
}

fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(format!("session: {e}"))
}

/// The logged-in user's id, the epoch it was issued in, and when it was last used.
pub struct SessionLogin {
    /// A random id per login, so that logout can revoke this very session.
    pub sid: String,
    pub user_id: i64,
    pub epoch: i32,
    pub seen: i64,
}

pub fn login(session: &Session, user_id: i64, epoch: i32, now: i64) -> Result<(), AppError> {
    // A new session for every login: whatever was there is dropped.
    // (`purge` would drop the inserts that follow: clear, then renew.)
    let flashes = take_flashes(session);
    session.clear();
    session.renew();
    session
        .insert(SID, crate::services::passwords::random_token(18))
        .map_err(internal)?;
    session.insert(USER_ID, user_id).map_err(internal)?;
    session.insert(EPOCH, epoch).map_err(internal)?;
    session.insert(SEEN, now).map_err(internal)?;
    for f in flashes {
        push_flash(session, &f.kind, &f.text);
    }
    Ok(())
}

const PENDING: &str = "pending_login";

/// A login whose password was right and whose second step (the app's code)
/// is still to come.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingLogin {
    pub user_id: i64,
    pub epoch: i32,
    /// When the password was checked (Unix seconds).
    pub at: i64,
    pub next: String,
}

/// Starts the second step: a fresh session holding only the pending login.
pub fn begin_second_step(session: &Session, pending: &PendingLogin) -> Result<(), AppError> {
    session.clear();
    session.renew();
    session.insert(PENDING, pending).map_err(internal)
}

/// The pending login, if one is there and not older than `max_age` seconds.
pub fn pending_login(session: &Session, now: i64, max_age: i64) -> Option<PendingLogin> {
    let pending: PendingLogin = session.get(PENDING).ok()??;
    (now - pending.at <= max_age && pending.at <= now).then_some(pending)
}

pub fn current(session: &Session) -> Option<SessionLogin> {
    Some(SessionLogin {
        sid: session.get::<String>(SID).ok()??,
        user_id: session.get::<i64>(USER_ID).ok()??,
        epoch: session.get::<i32>(EPOCH).ok()??,
        seen: session.get::<i64>(SEEN).ok()??,
    })
}

pub fn touch(session: &Session, now: i64) {
    let _ = session.insert(SEEN, now);
}

pub fn logout(session: &Session) {
    session.purge();
}

/// Ends a login that ran out (idle too long, or its user changed) and starts
/// a fresh session, so that the login page this leads to can still set its
/// CSRF token (`purge` would drop it, and the next sign-in would be refused).
pub fn end_login(session: &Session) {
    session.clear();
    session.renew();
}

/// A flash message's longest text in bytes: the session lives in a cookie
/// (4 KB, encrypted and base64-encoded), which 3 such messages leave room in.
const FLASH_MAX_BYTES: usize = 600;
/// The most flash messages kept at once.
const FLASH_MAX: usize = 3;

pub fn push_flash(session: &Session, kind: &str, text: &str) {
    let mut all: Vec<Flash> = session.get(FLASH).ok().flatten().unwrap_or_default();
    let mut bytes = 0;
    let mut cut: String = text
        .chars()
        .take_while(|c| {
            bytes += c.len_utf8();
            bytes <= FLASH_MAX_BYTES
        })
        .collect();
    if cut.len() < text.len() {
        cut.push('…');
    }
    let text = cut;
    if all.len() >= FLASH_MAX {
        all.remove(0);
    }
    all.push(Flash {
        kind: kind.to_string(),
        text,
    });
    let _ = session.insert(FLASH, all);
}

pub fn take_flashes(session: &Session) -> Vec<Flash> {
    let all: Vec<Flash> = session.get(FLASH).ok().flatten().unwrap_or_default();
    if !all.is_empty() {
        session.remove(FLASH);
    }
    all
}
