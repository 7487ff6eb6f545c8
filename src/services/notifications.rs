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
    if !wants_news(&d) {
        return Ok(0);
    }
    let procedure = Procedure::find(conn, d.procedure_id)?;
    let office = Office::find(conn, d.office_id)?;
    enqueue_loaded(conn, &d, &procedure, &office, news, previous_due, now)
}

/// Whether the applicant of `d` hears about it: not declined, not voided,
/// and an address known.
fn wants_news(d: &Dossier) -> bool {
    let email = d.email.as_deref().map(str::trim).filter(|e| !e.is_empty());
    d.notify && !d.voided && (email.is_some() || Phone::parse(&d.phone).is_ok())
}

/// `enqueue` for a caller that holds the dossier as it is after the action,
/// its procedure and its office (a reception, which just wrote them).
pub fn enqueue_with(
    conn: &mut DbConnection,
    d: &Dossier,
    procedure: &Procedure,
    office: &Office,
    action: &str,
    now: NaiveDateTime,
) -> Result<usize, AppError> {
    match News::of_action(action) {
        Some(news) if wants_news(d) => enqueue_loaded(conn, d, procedure, office, news, None, now),
        _ => Ok(0),
    }
}

fn enqueue_loaded(
    conn: &mut DbConnection,
    d: &Dossier,
    procedure: &Procedure,
    office: &Office,
    news: News,
    previous_due: Option<chrono::NaiveDate>,
    now: NaiveDateTime,
) -> Result<usize, AppError> {
    let email = d.email.as_deref().map(str::trim).filter(|e| !e.is_empty());
    let phone = Phone::parse(&d.phone).ok();
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
        procedure: procedure.name.clone(),
        office: office.name.clone(),
        office_phone,
        due_date: d.due_date,
        previous_due,
        reason: d.extension_reason.clone().unwrap_or_default(),
        missing,
        tracking_number: d.tracking_number.clone().unwrap_or_default(),
        refused: d.outcome.as_deref() == Some("refused"),
        by_post: d.return_method == "postal",
        online: false,
    };
    let link = status_path(&d.lookup_token);
    write(
        conn,
        Some(d.id),
        email,
        phone.as_ref(),
        news,
        &facts,
        &link,
        now,
    )
}

/// Writes `news` to each address given (email, SMS), `link` being the status
/// page's path; returns how many messages were written.
#[allow(clippy::too_many_arguments)]
pub fn write(
    conn: &mut DbConnection,
    dossier_id: Option<i64>,
    email: Option<&str>,
    phone: Option<&Phone>,
    news: News,
    facts: &NewsFacts,
    link: &str,
    now: NaiveDateTime,
) -> Result<usize, AppError> {
    let mut written = 0;
    if let Some(address) = email {
        let l = letter(news, facts);
        put(
            conn,
            dossier_id,
            news.as_str(),
            EMAIL,
            address,
            &l.subject,
            &l.body,
            link,
            now,
        )?;
        written += 1;
    }
    if let Some(p) = phone {
        put(
            conn,
            dossier_id,
            news.as_str(),
            SMS,
            p.as_str(),
            "",
            &sms(news, facts),
            link,
            now,
        )?;
        written += 1;
    }
    Ok(written)
}

/// Writes one message to the outbox, due now.
#[allow(clippy::too_many_arguments)]
pub fn put(
    conn: &mut DbConnection,
    dossier_id: Option<i64>,
    event: &str,
    channel: &str,
    recipient: &str,
    subject: &str,
    body: &str,
    link: &str,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    outbox::insert(
        conn,
        &NewMessage {
            message_id: &uuid::Uuid::new_v4().to_string(),
            dossier_id,
            event,
            channel,
            recipient,
            subject,
            body,
            link,
            status: PENDING,
            attempts: 0,
            next_attempt_at: now,
            created_at: now,
        },
    )
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
