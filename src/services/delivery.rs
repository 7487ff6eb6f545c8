//! Sends the outbox: a loop in every instance claims due messages (each by
//! one instance only), sends each by SMTP (lettre) or an SMS gateway over
//! HTTP (ureq), and records the outcome; a failure is tried again later,
//! waiting longer each time, until `MAX_ATTEMPTS`. Delivery is at least
//! once: a message whose sender died before recording it is sent again, with
//! the same message id (the email's `Message-ID`, the SMS request's `{id}`),
//! so the receiving side can recognise the repeat.

use std::time::Duration as StdDuration;

use chrono::Duration;
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::Mailbox;
use lettre::{Message, SmtpTransport, Transport};

use crate::config::Config;
use crate::db::outbox::{self, OutboxMessage, FAILED, PENDING, SENT, SKIPPED};
use crate::db::{lookups, Db};
use crate::domain::citizen::{backoff, fill_template, LINK};
use crate::domain::time::now_utc;
use crate::error::AppError;

use super::notifications::{EMAIL, SMS};

/// How long a claim holds a message; longer than any one send takes.
const LEASE_MINUTES: i64 = 5;
/// Messages claimed at a time.
const BATCH: i64 = 20;

struct Mailer {
    transport: SmtpTransport,
    from: Mailbox,
}

struct SmsGateway {
    agent: ureq::Agent,
    url: String,
    body: String,
    content_type: String,
    key: String,
    success: Option<String>,
}

/// The ways out, as configured.
pub struct Transports {
    email: Option<Mailer>,
    sms: Option<SmsGateway>,
    public_url: String,
    backoff_seconds: i64,
    max_attempts: i32,
}

/// What one try came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Sent,
    /// Not sendable here (channel not configured): kept for a retry later.
    Skipped(String),
    Failed(String),
    /// Failed for good (a malformed address): not tried again.
    Refused(String),
}

impl Transports {
    pub fn from_config(config: &Config) -> Result<Transports, AppError> {
        let d = &config.delivery;
        let email = match &d.smtp_url {
            Some(url) => Some(Mailer {
                transport: SmtpTransport::from_url(url)
                    .map_err(|e| AppError::Startup(format!("MOTCUA_SMTP_URL: {e}")))?
                    .timeout(Some(StdDuration::from_secs(20)))
                    .build(),
                from: d
                    .mail_from
                    .parse()
                    .map_err(|e| AppError::Startup(format!("MOTCUA_MAIL_FROM: {e}")))?,
            }),
            None => None,
        };
        let sms = d.sms_url.as_ref().map(|url| SmsGateway {
            agent: ureq::AgentBuilder::new()
                .timeout(StdDuration::from_secs(20))
                .build(),
            url: url.clone(),
            body: d.sms_body.clone(),
            content_type: d.sms_content_type.clone(),
            key: d.sms_key.clone(),
            success: d.sms_success.clone(),
        });
        Ok(Transports {
            email,
            sms,
            public_url: config.public_url.clone(),
            backoff_seconds: d.backoff_seconds,
            max_attempts: d.max_attempts,
        })
    }

    /// The message's text with the status page's full address in it.
    fn text(&self, m: &OutboxMessage) -> String {
        m.body
            .replace(LINK, &format!("{}{}", self.public_url, m.link))
    }

    /// One try at sending `m`.
    pub fn send(&self, m: &OutboxMessage) -> Outcome {
        match m.channel.as_str() {
            EMAIL => match &self.email {
                Some(mailer) => self.send_email(mailer, m),
                None => Outcome::Skipped("Chưa cấu hình máy chủ thư (MOTCUA_SMTP_URL).".into()),
            },
            SMS => match &self.sms {
                Some(gateway) => self.send_sms(gateway, m),
                None => Outcome::Skipped("Chưa cấu hình cổng SMS (MOTCUA_SMS_URL).".into()),
            },
            other => Outcome::Refused(format!("Kênh gửi không rõ: {other}")),
        }
    }

    fn send_email(&self, mailer: &Mailer, m: &OutboxMessage) -> Outcome {
        let to: Mailbox = match m.recipient.parse() {
            Ok(to) => to,
            Err(e) => return Outcome::Refused(format!("Địa chỉ nhận không hợp lệ: {e}")),
        };
        let message = Message::builder()
            .from(mailer.from.clone())
            .to(to)
            .subject(m.subject.clone())
            .message_id(Some(format!("<{}@motcua>", m.message_id)))
            .header(ContentType::TEXT_PLAIN)
            // Quoted-printable keeps the code and the link readable as sent.
            .header(ContentTransferEncoding::QuotedPrintable)
            .body(self.text(m));
        let message = match message {
            Ok(msg) => msg,
            Err(e) => return Outcome::Failed(format!("Không tạo được thư: {e}")),
        };
        match mailer.transport.send(&message) {
            Ok(_) => Outcome::Sent,
            Err(e) => Outcome::Failed(format!("Máy chủ thư từ chối hoặc không trả lời: {e}")),
        }
    }

    fn send_sms(&self, gateway: &SmsGateway, m: &OutboxMessage) -> Outcome {
        let json = gateway.content_type.contains("json");
        let escape = |v: &str| -> String {
            if json {
                let quoted = serde_json::to_string(v).unwrap_or_default();
                quoted[1..quoted.len() - 1].to_string()
            } else {
                crate::error::urlencode(v)
            }
        };
        let body = fill_template(
            &gateway.body,
            &[
                ("phone", escape(&m.recipient)),
                ("message", escape(&self.text(m))),
                ("id", escape(&m.message_id)),
                ("key", escape(&gateway.key)),
            ],
        );
        match gateway
            .agent
            .post(&gateway.url)
            .set("Content-Type", &gateway.content_type)
            .set("Idempotency-Key", &m.message_id)
            .send_string(&body)
        {
            Ok(resp) => match &gateway.success {
                None => Outcome::Sent,
                Some(expected) => {
                    let text = resp.into_string().unwrap_or_default();
                    if text.contains(expected.as_str()) {
                        Outcome::Sent
                    } else {
                        let shown: String = text.chars().take(300).collect();
                        Outcome::Failed(format!("Cổng SMS không xác nhận đã gửi: {shown}"))
                    }
                }
            },
            Err(ureq::Error::Status(code, resp)) => {
                let text: String = resp
                    .into_string()
                    .unwrap_or_default()
                    .chars()
                    .take(300)
                    .collect();
                Outcome::Failed(format!("Cổng SMS trả lỗi {code}: {text}"))
            }
            Err(e) => Outcome::Failed(format!("Không gọi được cổng SMS: {e}")),
        }
    }
}

/// Claims what is due and sends it; returns how many were tried.
pub fn deliver_due(db: &Db, t: &Transports, worker: &str) -> Result<usize, AppError> {
    let batch = {
        let mut conn = db.get()?;
        if !outbox::has_due(&mut conn, now_utc())? {
            return Ok(0);
        }
        outbox::claim(
            &mut conn,
            worker,
            now_utc(),
            Duration::minutes(LEASE_MINUTES),
            BATCH,
        )?
    };
    for m in &batch {
        // Each send may take a while (a slow relay): the claim is renewed
        // before it, and a message whose claim was lost is left to its new
        // holder.
        {
            let mut conn = db.get()?;
            let until = now_utc() + Duration::minutes(LEASE_MINUTES);
            if !outbox::renew(&mut conn, m.id, worker, until)? {
                continue;
            }
        }
        let outcome = t.send(m);
        let now = now_utc();
        let (status, error, next) = match outcome {
            Outcome::Sent => (SENT, None, None),
            Outcome::Skipped(why) => (SKIPPED, Some(why), None),
            Outcome::Failed(e) if m.attempts >= t.max_attempts => (FAILED, Some(e), None),
            Outcome::Refused(e) => (FAILED, Some(e), None),
            Outcome::Failed(e) => (
                PENDING,
                Some(e),
                Some(now + backoff(m.attempts, t.backoff_seconds)),
            ),
        };
        if status != SENT {
            tracing::warn!(
                message_id = %m.message_id,
                channel = %m.channel,
                attempts = m.attempts,
                status,
                "outbox message not sent"
            );
        }
        let mut conn = db.get()?;
        if !outbox::finish(&mut conn, m.id, worker, status, error.as_deref(), next, now)? {
            tracing::warn!(message_id = %m.message_id, "outbox claim lost before the outcome was recorded");
        }
    }
    Ok(batch.len())
}

/// The sender's loop, for the life of the server: every `poll_ms`, send what
/// is due (again at once while there is more), and forget old lookup counts.
pub async fn run(db: Db, t: Transports, poll_ms: u64) {
    let worker = format!("{}-{}", std::process::id(), uuid::Uuid::new_v4());
    let t = std::sync::Arc::new(t);
    let mut last_purge = std::time::Instant::now();
    // The retention purge runs an hour after start, then hourly.
    let mut last_retention = std::time::Instant::now();
    loop {
        let (db2, t2, w2) = (db.clone(), t.clone(), worker.clone());
        let tried = tokio::task::spawn_blocking(move || deliver_due(&db2, &t2, &w2)).await;
        let busy = match tried {
            Ok(Ok(n)) => n as i64 == BATCH,
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "outbox round failed");
                false
            }
            Err(e) => {
                tracing::warn!(error = %e, "outbox round panicked");
                false
            }
        };
        if last_purge.elapsed() > StdDuration::from_secs(60) {
            last_purge = std::time::Instant::now();
            let db2 = db.clone();
            let _ = tokio::task::spawn_blocking(move || {
                let mut conn = db2.get()?;
                lookups::purge(&mut conn, now_utc())
            })
            .await;
        }
        if last_retention.elapsed() > StdDuration::from_secs(3600) {
            last_retention = std::time::Instant::now();
            let db2 = db.clone();
            let purged = tokio::task::spawn_blocking(move || {
                let mut conn = db2.get()?;
                crate::services::personal_data::purge_expired(&mut conn, now_utc())
            })
            .await;
            if let Ok(Err(e)) = purged {
                tracing::warn!(error = %e, "retention purge failed");
            }
        }
        if !busy {
            tokio::time::sleep(StdDuration::from_millis(poll_ms)).await;
        }
    }
}
