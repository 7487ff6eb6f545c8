//! The one place where control characters are refused: a NUL byte or any
//! other control character (tab and line breaks aside) in the path, the query
//! string, a form or a JSON body never reaches a handler or the database.
//! Pages get a 400 in Vietnamese, the API a 422 naming the field.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{CONTENT_ENCODING, CONTENT_TYPE};
use actix_web::middleware::Next;
use actix_web::web::{Bytes, BytesMut};
use futures_util::StreamExt;

use crate::domain::fields::FieldErrors;
use crate::error::AppError;
use crate::web::api::ApiError;

/// The largest body any handler takes (uploads, multipart, are read by their handler).
const MAX_CHECKED_BODY: usize = 1024 * 1024;

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
pub fn json_offender(v: &serde_json::Value, at: &str) -> Option<String> {
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

fn plain(
    api: bool,
    status: actix_web::http::StatusCode,
    code: &'static str,
    message: &str,
) -> actix_web::Error {
    if api {
        ApiError::new(status, code, message).into()
    } else {
        AppError::BadRequest(message.to_string()).into()
    }
}

/// Where the text of a body lies, by its declared type.
#[derive(PartialEq)]
enum BodyKind {
    /// `multipart/form-data`: its parts are read (and bounded) by the one handler taking uploads.
    Multipart,
    /// `application/json`, `text/json`, `application/*+json`.
    Json,
    /// Anything else is read as a form: the form extractors of this app take
    /// the body whatever its declared type.
    Form,
}

fn body_kind(content_type: &str) -> BodyKind {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if essence == "multipart/form-data" {
        BodyKind::Multipart
    } else if essence.ends_with("/json") || essence.ends_with("+json") {
        BodyKind::Json
    } else {
        BodyKind::Form
    }
}

/// Refuses requests whose text carries control characters; they get an
/// ordinary answer (400 page or 422 JSON) with the usual headers.
pub async fn refuse_control_characters(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let api = req.path().starts_with("/api/");
    let early = if path_has_forbidden(req.path()) {
        Some(refuse(api, "path"))
    } else if let Some(field) = urlencoded_offender(req.query_string()) {
        Some(refuse(api, &field))
    } else if req
        .headers()
        .get(CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| !v.trim().eq_ignore_ascii_case("identity"))
    {
        // A compressed body would be unpacked after this check: not taken.
        Some(plain(
            api,
            actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Không nhận nội dung gửi lên ở dạng nén.",
        ))
    } else {
        None
    };
    if let Some(e) = early {
        return Ok(req.error_response(e).map_into_right_body());
    }
    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let kind = body_kind(&content_type);
    if kind == BodyKind::Multipart {
        return Ok(next.call(req).await?.map_into_left_body());
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
    let body: Bytes = body.freeze();
    let offender = if too_large {
        Some(plain(
            api,
            actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "Nội dung gửi lên vượt quá 1 MiB.",
        ))
    } else if body.is_empty() {
        None
    } else if kind == BodyKind::Json {
        match serde_json::from_slice::<serde_json::Value>(&body) {
            // Every JSON body the API takes is an object (its OpenAPI says so).
            Ok(v) if api && !v.is_object() => Some(plain(
                api,
                actix_web::http::StatusCode::BAD_REQUEST,
                "bad_request",
                "Nội dung gửi lên phải là một đối tượng JSON ({...}).",
            )),
            Ok(v) => json_offender(&v, "")
                .map(|field| refuse(api, if field.is_empty() { "body" } else { &field })),
            Err(_) => None,
        }
    } else {
        let text = String::from_utf8_lossy(&body);
        if has_forbidden(&text) {
            Some(refuse(api, "body"))
        } else {
            urlencoded_offender(&text).map(|field| refuse(api, &field))
        }
    };
    if let Some(e) = offender {
        let response = e.error_response();
        return Ok(ServiceResponse::new(http, response).map_into_right_body());
    }
    let res = next
        .call(ServiceRequest::from_parts(http, Payload::from(body)))
        .await?;
    Ok(res.map_into_left_body())
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
        assert!(body_kind("text/plain") == BodyKind::Form);
        assert!(body_kind("") == BodyKind::Form);
        assert!(body_kind("text/json; charset=utf-8") == BodyKind::Json);
        assert!(body_kind("application/merge-patch+json") == BodyKind::Json);
        assert!(body_kind("multipart/form-data; boundary=x") == BodyKind::Multipart);
    }
}
