//! Two-factor login: the second step after the password (pages and API),
//! turning it on and off, and recovery codes.

use chrono::NaiveDateTime;

use crate::db::{login_failures, retry_on_conflict, two_factor, write_tx, DbConnection};
use crate::domain::throttle::{second_step_key, wait_after};
use crate::domain::two_factor::{matching_step, read_typed, recovery_hash, Typed};
use crate::error::AppError;

/// Why a second step failed.
#[derive(Debug)]
pub enum SecondStepError {
    /// Wrong, reused or malformed code.
    Wrong,
    /// Too many wrong codes: try again after this time (UTC).
    Blocked(NaiveDateTime),
    Failed(AppError),
}

impl From<AppError> for SecondStepError {
    fn from(e: AppError) -> Self {
        SecondStepError::Failed(e)
    }
}

/// A second step that passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Passed {
    /// No two-factor login for this user: nothing was asked.
    NotEnrolled,
    /// An app code.
    Code,
    /// A recovery code; this many are left.
    Recovery(i64),
}

/// Checks what the user typed at the second step. Every attempt is counted
/// before it is checked (five free, then blocks that double), a code is
/// accepted once, a recovery code once; a success clears the count.
pub fn check_second_step(
    conn: &mut DbConnection,
    user_id: i64,
    typed: &str,
    now: NaiveDateTime,
) -> Result<Passed, SecondStepError> {
    let Some(enrolled) = two_factor::find(conn, user_id)? else {
        return Ok(Passed::NotEnrolled);
    };
    let key = second_step_key(user_id);
    let counted = retry_on_conflict(conn, |conn| {
        write_tx(conn, |conn| {
            login_failures::count_attempt(conn, &key, now, wait_after)
        })
    })?;
    if let Some(until) = counted.blocked_until {
        return Err(SecondStepError::Blocked(until));
    }
    let passed = match read_typed(typed) {
        Some(Typed::Code(code)) => {
            let unix = now.and_utc().timestamp().max(0) as u64;
            match matching_step(&enrolled.secret, &code, unix) {
                Some(step) if two_factor::accept_step(conn, user_id, step as i64)? => {
                    Some(Passed::Code)
                }
                _ => None,
            }
        }
        Some(Typed::Recovery(_)) => {
            let hash = recovery_hash(typed).unwrap_or_default();
            if two_factor::use_recovery_code(conn, user_id, &hash, now)? {
                Some(Passed::Recovery(two_factor::recovery_codes_left(
                    conn, user_id,
                )?))
            } else {
                None
            }
        }
        None => None,
    };
    match passed {
        Some(p) => {
            login_failures::clear(conn, &key)?;
            Ok(p)
        }
        None => {
            tracing::info!(user_id, failures = counted.failures, "second step refused");
            Err(SecondStepError::Wrong)
        }
    }
}

/// Turns two-factor login on after the user typed a right code for the new
/// secret; returns the recovery codes to show once, or `None` for a wrong code.
pub fn enable(
    conn: &mut DbConnection,
    user_id: i64,
    secret: &str,
    typed: &str,
    now: NaiveDateTime,
) -> Result<Option<Vec<String>>, AppError> {
    let Some(Typed::Code(code)) = read_typed(typed) else {
        return Ok(None);
    };
    let unix = now.and_utc().timestamp().max(0) as u64;
    let Some(step) = matching_step(secret, &code, unix) else {
        return Ok(None);
    };
    let codes = crate::domain::two_factor::new_recovery_codes();
    let hashes: Vec<String> = codes.iter().filter_map(|c| recovery_hash(c)).collect();
    two_factor::enable(conn, user_id, secret, step as i64, &hashes, now)?;
    Ok(Some(codes))
}

/// New recovery codes for an enrolled user (the old ones stop working).
pub fn renew_recovery_codes(
    conn: &mut DbConnection,
    user_id: i64,
) -> Result<Vec<String>, AppError> {
    let codes = crate::domain::two_factor::new_recovery_codes();
    let hashes: Vec<String> = codes.iter().filter_map(|c| recovery_hash(c)).collect();
    two_factor::replace_recovery_codes(conn, user_id, &hashes)?;
    Ok(codes)
}
