//! News without asking: when an action on a dossier is one the applicant
//! should hear about, its email and SMS are written to the outbox in the
//! action's own transaction; `delivery` sends them.

use chrono::NaiveDateTime;

use crate::db::dossiers::Dossier;
use crate::db::offices::Office;
use crate::db::outbox::{self, NewMessage, PENDING};
use crate::db::procedures::Procedure;
use crate::db::supplements::Supplement;
use crate::db::DbConnection;
use crate::domain::applicant::Phone;
use crate::domain::citizen::{letter, sms, News, NewsFacts};
use crate::error::AppError;

/// The channels a message goes by.
pub const EMAIL: &str = "email";
pub const SMS: &str = "sms";

/// The status page's path for a dossier (the worker puts the public address
/// in front of it).
pub fn status_path(token: &str) -> String {
    format!("/tra-cuu/{token}")
}

/// Writes the messages `action` brings for dossier `dossier_id` (as it is
/// after the action; `previous_due` is its due date before). Nothing when
/// the action brings no news, the applicant declined, or no address is known.
pub fn enqueue(
    conn: &mut DbConnection,
    dossier_id: i64,
    action: &str,
    previous_due: Option<chrono::NaiveDate>,
    now: NaiveDateTime,
) -> Result<usize, AppError> {
    let Some(news) = News::of_action(action) else {
        return Ok(0);
    };
    let d = Dossier::find(conn, dossier_id)?;
    if !d.notify || d.voided {
        return Ok(0);
    }
    let email = d.email.as_deref().map(str::trim).filter(|e| !e.is_empty());
    let phone = Phone::parse(&d.phone).ok();
    if email.is_none() && phone.is_none() {
        return Ok(0);
    }
    let procedure = Procedure::find(conn, d.procedure_id)?;
    let office = Office::find(conn, d.office_id)?;
    let mut office_phone = office.phone.clone();
    if office_phone.is_empty() {
        office_phone = Office::front(conn)?.map(|o| o.phone).unwrap_or_default();
    }
    let missing = if news == News::SupplementRequested {
        Supplement::of_dossier(conn, d.id)?
            .into_iter()
            .rev()
            .find(|(s, _)| s.received_at.is_none())
            .map(|(s, _)| super::citizens::missing_lines(&s.missing))
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let facts = NewsFacts {
        code: d.code.clone(),
        procedure: procedure.name,
        office: office.name,
        office_phone,
        due_date: d.due_date,
        previous_due,
        reason: d.extension_reason.clone().unwrap_or_default(),
        missing,
        tracking_number: d.tracking_number.clone().unwrap_or_default(),
        refused: d.outcome.as_deref() == Some("refused"),
        by_post: d.return_method == "postal",
    };
    let link = status_path(&d.lookup_token);
    // One message per channel with an address: (channel, recipient, subject, body).
    let mut messages: Vec<(&str, String, String, String)> = Vec::new();
    if let Some(address) = email {
        let l = letter(news, &facts);
        messages.push((EMAIL, address.to_string(), l.subject, l.body));
    }
    if let Some(p) = phone {
        messages.push((
            SMS,
            p.as_str().to_string(),
            String::new(),
            sms(news, &facts),
        ));
    }
    for (channel, recipient, subject, body) in &messages {
        outbox::insert(
            conn,
            &NewMessage {
                message_id: &uuid::Uuid::new_v4().to_string(),
                dossier_id: Some(d.id),
                event: news.as_str(),
                channel,
                recipient,
                subject,
                body,
                link: &link,
                status: PENDING,
                attempts: 0,
                next_attempt_at: now,
                created_at: now,
            },
        )?;
    }
    let written = messages.len();
    Ok(written)
}

/// Puts a failed or skipped message back in the queue, with an audit entry.
pub fn retry(
    conn: &mut DbConnection,
    actor: &super::Actor,
    id: i64,
    now: NaiveDateTime,
) -> Result<bool, AppError> {
    crate::db::write_tx(conn, |conn| {
        if !outbox::retry(conn, id, now)? {
            return Ok(false);
        }
        crate::db::audit::record(
            conn,
            now,
            &actor.username,
            "outbox.retry",
            &id.to_string(),
            "Gửi lại thông báo cho công dân",
        )?;
        Ok(true)
    })
}
