//! Reading a multipart form: each field's bytes and file name, within
//! limits, with the CSRF token checked for pages. Nothing is stored while
//! reading: a dropped connection leaves nothing behind.

use std::collections::HashMap;

use actix_multipart::Multipart;
use actix_session::SessionExt;
use actix_web::HttpRequest;
use futures_util::StreamExt;

use crate::error::AppError;

/// One field of a multipart form.
#[derive(Debug, Default)]
pub struct Part {
    pub file_name: String,
    pub bytes: Vec<u8>,
    /// The file was larger than the per-file limit: its bytes were dropped.
    pub oversized: bool,
}

impl Part {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes)
            .chars()
            .filter(|c| !crate::domain::text::is_control(*c))
            .collect()
    }
}

/// Limits of one form.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// One file at most; a larger one is kept as `oversized`, without bytes.
    pub per_file: usize,
    /// Everything together at most: past it, the read stops.
    pub total: usize,
    pub max_fields: usize,
}

/// Why a form could not be read.
#[derive(Debug)]
pub enum ReadError {
    /// Malformed, or the connection dropped.
    Broken,
    TooManyFields,
    /// Past `Limits::total`.
    TooLarge(usize),
    /// A text field carried a control character (NUL…): named.
    Control(String),
}

impl ReadError {
    pub fn message(&self) -> String {
        match self {
            ReadError::Broken => "Không đọc được tệp gửi lên; hãy gửi lại.".into(),
            ReadError::TooManyFields => "Biểu mẫu gửi lên có quá nhiều trường.".into(),
            ReadError::Control(field) => format!(
                "Nội dung gửi lên (trường «{field}») có ký tự điều khiển không hợp lệ (ví dụ ký tự NUL). Hãy xoá ký tự đó rồi gửi lại."
            ),
            ReadError::TooLarge(limit) => format!(
                "Tổng dung lượng gửi lên vượt quá {} MiB.",
                limit / (1024 * 1024)
            ),
        }
    }
}

impl From<ReadError> for AppError {
    fn from(e: ReadError) -> Self {
        AppError::BadRequest(e.message())
    }
}

/// What a part may be called: 1 to 100 letters, digits, dots, dashes and
/// underscores (`PART_NAME_PATTERN`); anything else is a broken request.
pub const PART_NAME_PATTERN: &str = "^[A-Za-z0-9._-]{1,100}$";

fn part_name_ok(name: &str) -> bool {
    (1..=100).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// Reads every field within `limits`. Text fields (no file name) are capped
/// at 256 KiB each.
pub async fn read_parts(
    mut payload: Multipart,
    limits: Limits,
) -> Result<HashMap<String, Part>, ReadError> {
    const TEXT_MAX: usize = 256 * 1024;
    let mut parts: HashMap<String, Part> = HashMap::new();
    let mut total = 0usize;
    let mut fields = 0usize;
    while let Some(item) = payload.next().await {
        let mut field = item.map_err(|_| ReadError::Broken)?;
        fields += 1;
        if fields > limits.max_fields {
            return Err(ReadError::TooManyFields);
        }
        let name = field.name().unwrap_or("").to_string();
        if !part_name_ok(&name) {
            return Err(ReadError::Broken);
        }
        let file_name: Option<String> = field
            .content_disposition()
            .and_then(|d| d.get_filename())
            .map(|f| f.chars().take(200).collect());
        let cap = if file_name.is_some() {
            limits.per_file
        } else {
            TEXT_MAX
        };
        let mut part = Part {
            file_name: file_name.unwrap_or_default(),
            ..Default::default()
        };
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|_| ReadError::Broken)?;
            total += chunk.len();
            if total > limits.total {
                return Err(ReadError::TooLarge(limits.total));
            }
            if part.oversized {
                continue;
            }
            if part.bytes.len() + chunk.len() > cap {
                part.oversized = true;
                part.bytes = Vec::new();
                continue;
            }
            part.bytes.extend_from_slice(&chunk);
        }
        if part.file_name.is_empty()
            && crate::domain::text::has_control(&String::from_utf8_lossy(&part.bytes))
        {
            let shown: String = name
                .chars()
                .filter(|c| !crate::domain::text::is_control(*c))
                .take(80)
                .collect();
            return Err(ReadError::Control(shown));
        }
        parts.insert(name, part);
    }
    Ok(parts)
}

/// Reads every field (at most `max_fields`, `limit` bytes in all) and checks
/// the `csrf_token` field against the session.
pub async fn read(
    req: &HttpRequest,
    payload: Multipart,
    limit: usize,
    max_fields: usize,
) -> Result<HashMap<String, Part>, AppError> {
    let parts = read_parts(
        payload,
        Limits {
            per_file: limit,
            total: limit,
            max_fields,
        },
    )
    .await?;
    if parts.values().any(|p| p.oversized) {
        return Err(AppError::BadRequest(format!(
            "Tệp quá lớn (tối đa {} MiB).",
            limit / (1024 * 1024)
        )));
    }
    check_csrf(req, &parts)?;
    Ok(parts)
}

/// Checks the form's `csrf_token` field against the session.
pub fn check_csrf(req: &HttpRequest, parts: &HashMap<String, Part>) -> Result<(), AppError> {
    let token = parts.get("csrf_token").map(Part::text);
    crate::auth::csrf::check(&req.get_session(), token.as_deref())
}
