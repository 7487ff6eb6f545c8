//! The one place where control characters are refused: a NUL byte or any
//! other control character (tab and line breaks aside) in the path, the query
//! string, a form or a JSON body never reaches a handler or the database.
//! Pages get a 400 in Vietnamese, the API a 422 naming the field.

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::CONTENT_TYPE;
use actix_web::middleware::Next;
use actix_web::web::{Bytes, BytesMut};
use futures_util::StreamExt;

use crate::error::AppError;
use crate::validation::FieldErrors;
use crate::web::api::ApiError;

/// Bodies larger than this are not buffered here; their handlers refuse them.
const MAX_CHECKED_BODY: usize = 4 * 1024 * 1024;

use crate::domain::text::{has_control as has_forbidden, is_control as is_forbidden};

/// The first field of an `application/x-www-form-urlencoded` text carrying a
/// forbidden character, if any (`"path"` for the path itself).
fn urlencoded_offender(raw: &str) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw).ok()?;
    pairs
        .into_iter()
        .find(|(k, v)| has_forbidden(k) || has_forbidden(v))
        .map(|(k, _)| if has_forbidden(&k) { "?".into() } else { k })
}

fn path_has_forbidden(path: &str) -> bool {
    // Percent-decoded as a form value; `+`, `&` and `=` kept as they are.
    let escaped = path
        .replace('+', "%2B")
        .replace('&', "%26")
        .replace('=', "%3D");
    urlencoded_offender(&format!("p={escaped}")).is_some() || has_forbidden(path)
}

/// The JSON path of the first string (or key) with a forbidden character.
fn json_offender(v: &serde_json::Value, at: &str) -> Option<String> {
    match v {
        serde_json::Value::String(s) if has_forbidden(s) => Some(at.to_string()),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, x)| json_offender(x, &format!("{at}[{i}]"))),
        serde_json::Value::Object(map) => map.iter().find_map(|(k, x)| {
            let here = if at.is_empty() {
                k.clone()
            } else {
                format!("{at}.{k}")
            };
            if has_forbidden(k) {
                Some(here)
            } else {
                json_offender(x, &here)
            }
        }),
        _ => None,
    }
}

const MESSAGE: &str =
    "có ký tự điều khiển không hợp lệ (ví dụ ký tự NUL). Hãy xoá ký tự đó rồi gửi lại.";

fn refuse(api: bool, field: &str) -> actix_web::Error {
    let shown: String = field
        .chars()
        .filter(|c| !is_forbidden(*c))
        .take(80)
        .collect();
    if api {
        let mut errors = FieldErrors::new();
        errors.add(&shown, format!("Trường này {MESSAGE}"));
        let mut e = ApiError::validation(&errors);
        e.message = format!("Nội dung gửi lên {MESSAGE}");
        e.into()
    } else if shown == "path" {
        AppError::BadRequest(format!("Địa chỉ trang {MESSAGE}")).into()
    } else {
        AppError::BadRequest(format!("Nội dung gửi lên (trường «{shown}») {MESSAGE}")).into()
    }
}

/// Refuses requests whose text carries control characters.
pub async fn refuse_control_characters(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let api = req.path().starts_with("/api/");
    if path_has_forbidden(req.path()) {
        return Err(refuse(api, "path"));
    }
    if let Some(field) = urlencoded_offender(req.query_string()) {
        return Err(refuse(api, &field));
    }
    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let form = content_type.starts_with("application/x-www-form-urlencoded");
    let json = content_type.starts_with("application/json");
    if !form && !json {
        return next.call(req).await;
    }
    let (http, mut payload) = req.into_parts();
    let mut body = BytesMut::new();
    let mut too_large = false;
    while let Some(chunk) = payload.next().await {
        let chunk = chunk?;
        if body.len() + chunk.len() > MAX_CHECKED_BODY {
            too_large = true;
            break;
        }
        body.extend_from_slice(&chunk);
    }
    if too_large {
        let e: actix_web::Error = if api {
            ApiError::new(
                actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "Nội dung gửi lên quá lớn.",
            )
            .into()
        } else {
            AppError::BadRequest("Nội dung gửi lên quá lớn.".into()).into()
        };
        return Err(e);
    }
    let body: Bytes = body.freeze();
    let offender = if form {
        std::str::from_utf8(&body)
            .ok()
            .and_then(urlencoded_offender)
    } else {
        serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| json_offender(&v, ""))
    };
    if let Some(field) = offender {
        return Err(refuse(api, if field.is_empty() { "body" } else { &field }));
    }
    next.call(ServiceRequest::from_parts(http, Payload::from(body)))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_control_characters_wherever_they_hide() {
        assert!(path_has_forbidden("/thu-tuc/%00"));
        assert!(path_has_forbidden("/thu-tuc/a%1Fb"));
        assert!(!path_has_forbidden("/thu-tuc/THADS-YCTHA"));
        assert!(!path_has_forbidden("/ho-so/a+b&c=d"));
        assert_eq!(urlencoded_offender("q=%00").as_deref(), Some("q"));
        assert_eq!(
            urlencoded_offender("a=1&note=x%C2%85y").as_deref(),
            Some("note")
        );
        assert_eq!(
            urlencoded_offender("note=d%C3%B2ng+1%0D%0Ad%C3%B2ng+2"),
            None
        );
        let v: serde_json::Value = serde_json::from_str(
            r#"{"applicant":{"full_name":"A\u0000"},"documents":[{"name":"x"}]}"#,
        )
        .expect("json");
        assert_eq!(
            json_offender(&v, "").as_deref(),
            Some("applicant.full_name")
        );
        let v: serde_json::Value =
            serde_json::from_str(r#"{"documents":[{"name":"ok"},{"name":"\u0007"}]}"#)
                .expect("json");
        assert_eq!(json_offender(&v, "").as_deref(), Some("documents[1].name"));
        let v: serde_json::Value =
            serde_json::from_str(r#"{"note":"Dòng 1\nDòng 2\tcột"}"#).expect("json");
        assert_eq!(json_offender(&v, ""), None);
    }
}
