//! Settings from the environment, with defaults that run on a laptop.

pub const DEFAULT_DATABASE_URL: &str = "data/motcua.sqlite3";
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
pub const DEFAULT_PUBLIC_URL: &str = "http://127.0.0.1:8080";
pub const DEFAULT_PLACE: &str = "Nha Trang";

/// How expensive hashing is. Production uses OWASP's argon2id settings;
/// tests use the cheapest so the suite stays fast.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashCost {
    Production,
    Test,
}

/// The shortest session key accepted from the environment.
pub const MIN_SECRET_KEY_CHARS: usize = 32;

#[derive(Debug, Clone)]
pub struct Config {
    /// `DATABASE_URL`: `postgres://...`, or a SQLite path (default `data/motcua.sqlite3`).
    pub database_url: String,
    /// `MOTCUA_BIND`: `host:port`.
    pub bind: String,
    /// `MOTCUA_PUBLIC_URL`: the address citizens reach (QR codes, emails).
    pub public_url: String,
    /// `MOTCUA_SECRET_KEY`: signs and encrypts session cookies; generated and
    /// kept in the database when unset, so every instance shares it.
    pub secret_key: Option<String>,
    /// `MOTCUA_ADMIN_PASSWORD`: the first start's `admin` password.
    pub admin_password: Option<String>,
    /// `MOTCUA_TRUST_PROXY`: trust `X-Forwarded-For`/`-Proto` from a reverse proxy.
    pub trust_proxy: bool,
    /// `MOTCUA_SESSION_IDLE_MINUTES`: an idle session ends after this long (default 30).
    pub session_idle_seconds: i64,
    /// `MOTCUA_API_TOKEN_HOURS`: how long an API token lasts (default 12).
    pub api_token_hours: i64,
    /// Password hashing cost: production always, cheap in the test suite.
    pub hash_cost: HashCost,
    /// `MOTCUA_PLACE`: the place name printed before the date on forms
    /// ("Nha Trang, ngày 25 tháng 11 năm 2026").
    pub place: String,
    /// Email and SMS delivery (see [`Delivery`]).
    pub delivery: Delivery,
    /// `MOTCUA_METRICS_TOKEN`: the bearer token Prometheus sends to read
    /// `/metrics`; without it, `/metrics` does not exist (404).
    pub metrics_token: Option<String>,
}

/// How the outbox's messages leave, and whether this instance sends them.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// `MOTCUA_OUTBOX_WORKER` (default on): this instance runs the sender.
    /// Several instances may all run it: each message is claimed by one.
    pub worker: bool,
    /// `MOTCUA_OUTBOX_POLL_MS`: how often the sender looks for work (default 2000).
    pub poll_ms: u64,
    /// `MOTCUA_OUTBOX_BACKOFF_SECONDS`: the first wait after a failure,
    /// doubled each time (default 60).
    pub backoff_seconds: i64,
    /// `MOTCUA_OUTBOX_MAX_ATTEMPTS`: tries before a message is marked failed (default 8).
    pub max_attempts: i32,
    /// `MOTCUA_SMTP_URL`: `smtp://host:port` (plain, for a local relay),
    /// `smtp://user:pass@host:587?tls=required` (STARTTLS) or
    /// `smtps://user:pass@host` (TLS); unset, emails are marked skipped.
    pub smtp_url: Option<String>,
    /// `MOTCUA_MAIL_FROM`: the sender, `Name <address>`.
    pub mail_from: String,
    /// `MOTCUA_SMS_URL`: the SMS gateway's address; unset, SMS are skipped.
    pub sms_url: Option<String>,
    /// `MOTCUA_SMS_BODY`: the request body, with `{phone}`, `{message}`,
    /// `{id}` and `{key}` filled in (escaped for JSON when the content type is JSON).
    pub sms_body: String,
    /// `MOTCUA_SMS_CONTENT_TYPE` (default `application/json`).
    pub sms_content_type: String,
    /// `MOTCUA_SMS_KEY`: the provider's key, put in `{key}` (never logged).
    pub sms_key: String,
    /// `MOTCUA_SMS_SUCCESS`: text a successful answer contains (gateways that
    /// answer 200 with an error code in the body); unset, any 2xx is success.
    pub sms_success: Option<String>,
}

pub const DEFAULT_SMS_BODY: &str =
    r#"{"to":"{phone}","message":"{message}","request_id":"{id}","api_key":"{key}"}"#;

impl Default for Delivery {
    fn default() -> Self {
        Delivery {
            worker: false,
            poll_ms: 2000,
            backoff_seconds: 60,
            max_attempts: crate::domain::citizen::MAX_ATTEMPTS,
            smtp_url: None,
            mail_from: "Một Cửa <no-reply@localhost>".into(),
            sms_url: None,
            sms_body: DEFAULT_SMS_BODY.into(),
            sms_content_type: "application/json".into(),
            sms_key: String::new(),
            sms_success: None,
        }
    }
}

impl Delivery {
    fn from_env() -> Result<Delivery, String> {
        let number = |name: &str, default: i64, max: i64| -> Result<i64, String> {
            match var(name) {
                Some(v) => v
                    .trim()
                    .parse::<i64>()
                    .ok()
                    .filter(|n| (1..=max).contains(n))
                    .ok_or_else(|| format!("{name} không hợp lệ: {v} (từ 1 đến {max})")),
                None => Ok(default),
            }
        };
        let d = Delivery::default();
        let mail_from = var("MOTCUA_MAIL_FROM").unwrap_or(d.mail_from);
        if mail_from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(format!(
                "MOTCUA_MAIL_FROM không hợp lệ: {mail_from} (ví dụ: Một Cửa <motcua@thads.gov.vn>)"
            ));
        }
        let smtp_url = var("MOTCUA_SMTP_URL");
        if let Some(u) = &smtp_url {
            if lettre::SmtpTransport::from_url(u).is_err() {
                return Err(
                    "MOTCUA_SMTP_URL không hợp lệ (ví dụ smtp://mail.example.vn:25)".into(),
                );
            }
        }
        let sms_url = var("MOTCUA_SMS_URL");
        if let Some(u) = &sms_url {
            if !(u.starts_with("http://") || u.starts_with("https://")) {
                return Err("MOTCUA_SMS_URL phải bắt đầu bằng http:// hoặc https://".into());
            }
        }
        Ok(Delivery {
            worker: var("MOTCUA_OUTBOX_WORKER").is_none_or(|v| parse_bool(&v)),
            poll_ms: number("MOTCUA_OUTBOX_POLL_MS", 2000, 3_600_000)? as u64,
            backoff_seconds: number("MOTCUA_OUTBOX_BACKOFF_SECONDS", 60, 86_400)?,
            max_attempts: number("MOTCUA_OUTBOX_MAX_ATTEMPTS", 8, 100)? as i32,
            smtp_url,
            mail_from,
            sms_url,
            sms_body: var("MOTCUA_SMS_BODY").unwrap_or(d.sms_body),
            sms_content_type: var("MOTCUA_SMS_CONTENT_TYPE").unwrap_or(d.sms_content_type),
            sms_key: var("MOTCUA_SMS_KEY").unwrap_or_default(),
            sms_success: var("MOTCUA_SMS_SUCCESS"),
        })
    }
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn parse_bool(v: &str) -> bool {
    matches!(
        v.trim().to_ascii_lowercase().as_str(),
        "1" | "true" | "yes" | "on"
    )
}

impl Config {
    pub fn from_env() -> Result<Config, String> {
        let minutes = match var("MOTCUA_SESSION_IDLE_MINUTES") {
            Some(v) => v
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|m| (1..=24 * 60).contains(m))
                .ok_or_else(|| {
                    format!("MOTCUA_SESSION_IDLE_MINUTES không hợp lệ: {v} (từ 1 đến 1440 phút)")
                })?,
            None => 30,
        };
        let hours = match var("MOTCUA_API_TOKEN_HOURS") {
            Some(v) => v
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|h| (1..=24 * 30).contains(h))
                .ok_or_else(|| format!("MOTCUA_API_TOKEN_HOURS không hợp lệ: {v}"))?,
            None => 12,
        };
        let bind = var("MOTCUA_BIND").unwrap_or_else(|| DEFAULT_BIND.to_string());
        if bind.parse::<std::net::SocketAddr>().is_err() && !bind.contains(':') {
            return Err(format!(
                "MOTCUA_BIND phải có dạng host:port, không phải {bind}"
            ));
        }
        let public_url = var("MOTCUA_PUBLIC_URL")
            .unwrap_or_else(|| DEFAULT_PUBLIC_URL.to_string())
            .trim_end_matches('/')
            .to_string();
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err(format!(
                "MOTCUA_PUBLIC_URL phải bắt đầu bằng http:// hoặc https://, không phải {public_url}"
            ));
        }
        let config = Config {
            database_url: var("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_string()),
            bind,
            public_url,
            secret_key: var("MOTCUA_SECRET_KEY"),
            admin_password: var("MOTCUA_ADMIN_PASSWORD"),
            trust_proxy: var("MOTCUA_TRUST_PROXY").is_some_and(|v| parse_bool(&v)),
            session_idle_seconds: minutes * 60,
            api_token_hours: hours,
            hash_cost: HashCost::Production,
            place: var("MOTCUA_PLACE")
                .map(|p| p.trim().to_string())
                .filter(|p| !p.is_empty())
                .unwrap_or_else(|| DEFAULT_PLACE.to_string()),
            delivery: Delivery::from_env()?,
            metrics_token: var("MOTCUA_METRICS_TOKEN").map(|t| t.trim().to_string()),
        };
        config.check()?;
        Ok(config)
    }

    /// Refuses a session key that would weaken the installation. (The first
    /// administrator's password is checked when it is used, on the first start.)
    pub fn check(&self) -> Result<(), String> {
        if let Some(token) = &self.metrics_token {
            if token.chars().count() < MIN_SECRET_KEY_CHARS {
                return Err(format!(
                    "MOTCUA_METRICS_TOKEN phải dài ít nhất {MIN_SECRET_KEY_CHARS} ký tự ngẫu nhiên."
                ));
            }
        }
        if let Some(key) = self.secret_key.as_deref().filter(|k| !k.is_empty()) {
            if key.chars().count() < MIN_SECRET_KEY_CHARS {
                return Err(format!(
                    "MOTCUA_SECRET_KEY phải dài ít nhất {MIN_SECRET_KEY_CHARS} ký tự ngẫu nhiên \
                     (ví dụ tạo bằng lệnh: openssl rand -base64 48); bỏ trống để hệ thống tự tạo."
                ));
            }
        }
        Ok(())
    }

    /// Cookies are `Secure` when citizens and staff reach the app over HTTPS.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}
