//! CSRF protection: a random token per session, required in every
//! state-changing form (`csrf_token` field) or in the `X-CSRF-Token` header.

use std::future::Future;
use std::pin::Pin;

use actix_session::{Session, SessionExt};
use actix_web::{dev::Payload, web, FromRequest, HttpRequest};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::error::AppError;

const KEY: &str = "csrf";
pub const FIELD: &str = "csrf_token";

/// The session's token, created on first use.
pub fn token(session: &Session) -> String {
    if let Ok(Some(t)) = session.get::<String>(KEY) {
        return t;
    }
    let t = crate::services::passwords::random_token(32);
    let _ = session.insert(KEY, &t);
    t
}

/// Constant-time comparison, so the token cannot be guessed byte by byte.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

pub fn check(session: &Session, sent: Option<&str>) -> Result<(), AppError> {
    let expected = session.get::<String>(KEY).ok().flatten();
    match (expected, sent) {
        (Some(e), Some(s)) if !e.is_empty() && same(&e, s) => Ok(()),
        _ => Err(AppError::Csrf),
    }
}

#[derive(Deserialize)]
struct TokenOnly {
    csrf_token: Option<String>,
}

/// A urlencoded form whose CSRF token has been checked. `T` ignores the token field.
pub struct CsrfForm<T>(pub T);

const FORM_LIMIT: usize = 1024 * 1024;

impl<T: DeserializeOwned + 'static> FromRequest for CsrfForm<T> {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let body = web::Bytes::from_request(&req, payload);
        Box::pin(async move {
            let session = req.get_session();
            let bytes = body
                .await
                .map_err(|_| AppError::BadRequest("Không đọc được nội dung biểu mẫu.".into()))?;
            if bytes.len() > FORM_LIMIT {
                return Err(AppError::BadRequest("Biểu mẫu quá lớn.".into()));
            }
            let header = req
                .headers()
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            let sent = serde_urlencoded::from_bytes::<TokenOnly>(&bytes)
                .ok()
                .and_then(|t| t.csrf_token)
                .or(header);
            check(&session, sent.as_deref())?;
            let value = serde_urlencoded::from_bytes::<T>(&bytes)
                .map_err(|e| AppError::BadRequest(format!("Biểu mẫu không hợp lệ: {e}")))?;
            Ok(CsrfForm(value))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparison_needs_the_exact_token() {
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "ab"));
        assert!(!same("", "a"));
    }
}
