//! The retention purge of applicants' personal details (Decree 13/2023/NĐ-CP).

use chrono::NaiveDateTime;

use crate::db::{personal_data, settings, DbConnection};
use crate::domain::personal_data::{cutoff, parse_retention, RETENTION_SETTING};
use crate::error::AppError;

/// The retention in force, in years (`None`: details are kept).
pub fn retention_years(conn: &mut DbConnection) -> Result<Option<u32>, AppError> {
    Ok(settings::get(conn, RETENTION_SETTING)?.and_then(|v| parse_retention(&v).ok().flatten()))
}

/// Purges the details of every dossier closed longer ago than the retention,
/// in batches; idempotent, so instances running it at once do no harm.
/// Returns how many dossiers were purged.
pub fn purge_expired(conn: &mut DbConnection, now: NaiveDateTime) -> Result<usize, AppError> {
    let Some(years) = retention_years(conn)? else {
        return Ok(0);
    };
    let before = cutoff(now, years);
    let mut total = 0;
    loop {
        let n = personal_data::purge_closed_before(conn, before, now)?;
        total += n;
        if n < 5_000 {
            break;
        }
    }
    if total > 0 {
        tracing::info!(
            dossiers = total,
            years,
            "personal details purged under the retention setting"
        );
    }
    Ok(total)
}
