//! Feedback and petitions: a citizen sends them (the public form, the API)
//! or staff log a hotline call; staff assign, answer (the answer goes by
//! email through the outbox when a contact was given) and close; answered
//! feedback whose author consented is published without personal data.

use chrono::{Duration, NaiveDateTime};

use crate::db::feedback::{Feedback, FeedbackRow, NewFeedback};
use crate::db::lookups;
use crate::db::offices::Office;
use crate::db::users::User;
use crate::db::{write_tx, DbConnection};
use crate::domain::feedback::{
    self as rules, answer_letter, paragraph, CheckedFeedback, FeedbackInput, ANSWERED, ASSIGNED,
    CLOSED, CONTENT_MAX, PER_HOUR, RECEIVED,
};
use crate::domain::fields::FieldErrors;
use crate::domain::Role;
use crate::error::{ActionError, AppError};
use crate::services::Actor;

/// The lookup-attempts kind counting feedback per address.
pub const BY_ADDRESS: &str = "feedback";

/// Why feedback was not taken.
#[derive(Debug)]
pub enum Refusal {
    Invalid(FieldErrors),
    /// Too many from this address in the last hour.
    TooMany,
    Failed(AppError),
}

impl From<AppError> for Refusal {
    fn from(e: AppError) -> Self {
        Refusal::Failed(e)
    }
}

impl From<diesel::result::Error> for Refusal {
    fn from(e: diesel::result::Error) -> Self {
        Refusal::Failed(AppError::Db(e))
    }
}

pub const TOO_MANY: &str =
    "Bạn đã gửi nhiều phản ánh trong một giờ; xin thử lại sau hoặc gọi đường dây nóng.";

fn insert(
    conn: &mut DbConnection,
    office_id: i64,
    channel: &str,
    f: &CheckedFeedback,
    by: Option<i64>,
    now: NaiveDateTime,
) -> Result<Feedback, AppError> {
    Feedback::insert(
        conn,
        &NewFeedback {
            public_id: &uuid::Uuid::new_v4().to_string(),
            office_id,
            channel,
            topic: &f.topic,
            content: &f.content,
            dossier_code: f.dossier_code.as_deref(),
            contact_name: f.name.as_deref(),
            contact_phone: f.phone.as_deref(),
            contact_email: f.email.as_deref(),
            publish_consent: f.publish_consent,
            status: RECEIVED,
            created_at: now,
            created_by: by,
            updated_at: now,
        },
    )
}

/// The office feedback goes to: the dossier's office when a known dossier
/// code was given, else the front office.
fn office_for(conn: &mut DbConnection, f: &CheckedFeedback) -> Result<i64, AppError> {
    if let Some(code) = &f.dossier_code {
        if let Some(d) = crate::db::dossiers::Dossier::find_by_code(conn, &code.to_uppercase())? {
            return Ok(d.office_id);
        }
    }
    Office::front(conn)?
        .map(|o| o.id)
        .ok_or_else(|| AppError::Internal("no office".into()))
}

/// A citizen's feedback from the public form or the API, counted against
/// `address` (at most `PER_HOUR` an hour).
pub fn send(
    conn: &mut DbConnection,
    input: &FeedbackInput,
    channel: &str,
    address: &str,
    now: NaiveDateTime,
) -> Result<Feedback, Refusal> {
    let checked = rules::check(input).map_err(Refusal::Invalid)?;
    let key = crate::domain::citizen::address_key(address);
    write_tx(conn, |conn| {
        lookups::lock_key(conn, &key)?;
        let recent = lookups::count_since(conn, BY_ADDRESS, &key, now - Duration::hours(1))?;
        if recent >= PER_HOUR {
            return Err(Refusal::TooMany);
        }
        lookups::record(conn, BY_ADDRESS, &key, now)?;
        let office = office_for(conn, &checked)?;
        Ok(insert(conn, office, channel, &checked, None, now)?)
    })
}

/// Staff who may triage feedback (assign, answer any, close, log calls).
pub fn may_triage(role: Role) -> bool {
    matches!(role, Role::Reception | Role::Leader)
}

/// Staff who may see the feedback list.
pub fn may_read(role: Role) -> bool {
    matches!(
        role,
        Role::Reception | Role::Leader | Role::Officer | Role::Supervisor
    )
}

/// A hotline call logged by staff.
pub fn log_call(
    conn: &mut DbConnection,
    actor: &Actor,
    input: &FeedbackInput,
    now: NaiveDateTime,
) -> Result<Feedback, ActionError> {
    if !may_triage(actor.role) {
        return Err(AppError::Forbidden.into());
    }
    let checked = rules::check(input).map_err(ActionError::Invalid)?;
    write_tx(conn, |conn| {
        let f = insert(
            conn,
            actor.office_id,
            rules::HOTLINE,
            &checked,
            Some(actor.user_id),
            now,
        )?;
        crate::db::audit::record(
            conn,
            now,
            &actor.username,
            "feedback.hotline",
            &f.public_id,
            &checked.topic,
        )?;
        Ok(f)
    })
}

/// The feedback `public_id` if `actor` may see it.
pub fn find_visible(
    conn: &mut DbConnection,
    actor: &Actor,
    public_id: &str,
) -> Result<Option<Feedback>, AppError> {
    let visible = super::dossiers::visible_offices(conn, actor.office_id)?;
    Ok(Feedback::by_public_id(conn, public_id)?
        .filter(|f| visible.contains(&f.office_id) || f.assignee_id == Some(actor.user_id)))
}

pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    statuses: &[&str],
) -> Result<Vec<FeedbackRow>, AppError> {
    let visible = super::dossiers::visible_offices(conn, actor.office_id)?;
    Feedback::list(conn, &visible, statuses, 500)
}

/// What staff do with feedback.
#[derive(Debug, Clone)]
pub enum Step {
    Assign(String),
    Answer(String),
    Close,
}

/// Takes `step` on feedback `f`, in one transaction, with an audit entry.
pub fn act(
    conn: &mut DbConnection,
    actor: &Actor,
    f: &Feedback,
    step: &Step,
    now: NaiveDateTime,
) -> Result<(), ActionError> {
    let assigned_to_me = f.assignee_id == Some(actor.user_id);
    let allowed = match step {
        Step::Assign(_) | Step::Close => may_triage(actor.role),
        Step::Answer(_) => may_triage(actor.role) || assigned_to_me,
    };
    if !allowed {
        return Err(AppError::Forbidden.into());
    }
    if f.status == CLOSED {
        return Err(AppError::Conflict("Phản ánh này đã đóng.".into()).into());
    }
    match step {
        Step::Assign(username) => {
            let officer = User::find_by_username(conn, username.trim())?.filter(|u| {
                u.active && (u.role == Role::Officer.as_str() || u.role == Role::Leader.as_str())
            });
            let visible = super::dossiers::visible_offices(conn, actor.office_id)?;
            let Some(officer) = officer.filter(|u| visible.contains(&u.office_id)) else {
                return Err(ActionError::field(
                    "officer",
                    "Chọn cán bộ xử lý trong danh sách.",
                ));
            };
            write_tx(conn, |conn| {
                let status = if f.status == RECEIVED {
                    ASSIGNED
                } else {
                    &f.status
                };
                Feedback::assign(conn, f.id, officer.id, status, now)?;
                crate::db::audit::record(
                    conn,
                    now,
                    &actor.username,
                    "feedback.assign",
                    &f.public_id,
                    &officer.full_name,
                )?;
                Ok(())
            })
        }
        Step::Answer(text) => {
            let mut errors = FieldErrors::new();
            let answer = errors.check(
                "answer",
                paragraph(text, CONTENT_MAX, "Nhập nội dung trả lời."),
            );
            let Some(answer) = answer else {
                return Err(ActionError::Invalid(errors));
            };
            write_tx(conn, |conn| {
                Feedback::answer(conn, f.id, &answer, actor.user_id, ANSWERED, now)?;
                if let Some(email) = f.contact_email.as_deref().filter(|e| !e.is_empty()) {
                    let office = Office::find(conn, f.office_id)?;
                    let (subject, body) =
                        answer_letter(&office.name, &f.topic, &f.content, &answer);
                    super::notifications::put(
                        conn,
                        None,
                        "feedback_answered",
                        super::notifications::EMAIL,
                        email,
                        &subject,
                        &body,
                        "",
                        now,
                    )?;
                }
                crate::db::audit::record(
                    conn,
                    now,
                    &actor.username,
                    "feedback.answer",
                    &f.public_id,
                    "Trả lời phản ánh",
                )?;
                Ok(())
            })
        }
        Step::Close => write_tx(conn, |conn| {
            Feedback::close(conn, f.id, CLOSED, now)?;
            crate::db::audit::record(
                conn,
                now,
                &actor.username,
                "feedback.close",
                &f.public_id,
                "Đóng phản ánh",
            )?;
            Ok(())
        }),
    }
}
