//! Reading a multipart form: each field's bytes and file name, within
//! limits, with the CSRF token checked.

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
}

impl Part {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }
}

/// Reads every field (at most `max_fields`, `limit` bytes in all) and checks
/// the `csrf_token` field against the session.
pub async fn read(
    req: &HttpRequest,
    mut payload: Multipart,
    limit: usize,
    max_fields: usize,
) -> Result<HashMap<String, Part>, AppError> {
    let mut parts: HashMap<String, Part> = HashMap::new();
    let mut total = 0usize;
    while let Some(item) = payload.next().await {
        let mut field =
            item.map_err(|_| AppError::BadRequest("Không đọc được tệp gửi lên.".into()))?;
        if parts.len() >= max_fields {
            return Err(AppError::BadRequest(
                "Biểu mẫu gửi lên có quá nhiều trường.".into(),
            ));
        }
        let name = field.name().unwrap_or("").to_string();
        let file_name = field
            .content_disposition()
            .and_then(|d| d.get_filename())
            .unwrap_or("")
            .chars()
            .take(200)
            .collect();
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk =
                chunk.map_err(|_| AppError::BadRequest("Không đọc được tệp gửi lên.".into()))?;
            total += chunk.len();
            if total > limit {
                return Err(AppError::BadRequest(format!(
                    "Tệp quá lớn (tối đa {} MiB).",
                    limit / (1024 * 1024)
                )));
            }
            bytes.extend_from_slice(&chunk);
        }
        parts.insert(name, Part { file_name, bytes });
    }
    let token = parts.get("csrf_token").map(Part::text);
    crate::auth::csrf::check(&req.get_session(), token.as_deref())?;
    Ok(parts)
}
