//! HTTP: one module per area (one per page where an area grows); handlers stay
//! thin: they read the request, call the use cases in `services`, and render.

pub mod account;
pub mod admin;
pub mod api;
pub mod assets;
pub mod catalog;
pub mod charts;
pub mod dossier_prints;
pub mod dossier_view;
pub mod dossiers;
pub mod feedback;
pub mod health;
pub mod home;
pub mod input_guard;
pub mod layout;
pub mod login;
pub mod metrics;
pub mod notices;
pub mod online;
pub mod online_desk;
pub mod options;
pub mod paging;
pub mod print;
pub mod ratings;
pub mod reception;
pub mod register;
pub mod reports;
pub mod returns;
pub mod routes;
pub mod status;
pub mod two_factor;
pub mod upload;
pub mod work;

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::{DefaultHeaders, Next};
use actix_web::{web, HttpRequest, HttpResponse};

use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    routes::configure(cfg);
    cfg.default_service(web::to(not_found));
}

async fn not_found(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> actix_web::Result<HttpResponse> {
    if req.path().starts_with("/api/") {
        return Err(api::ApiError::not_found().into());
    }
    let front = state.front_door().await?;
    let user = crate::auth::extract::session_user(&req)
        .await
        .ok()
        .flatten();
    Ok(html(
        actix_web::http::StatusCode::NOT_FOUND,
        &NotFoundPage {
            page: layout::Layout::public(&req, "Không tìm thấy trang", user.as_ref(), front),
        },
    )?)
}

/// A public 404 names the front door and the lookup, and carries the
/// office's contacts.
#[derive(askama::Template)]
#[template(path = "errors/not_found.html")]
struct NotFoundPage {
    page: layout::Layout,
}

/// Headers that keep pages out of frames, stop MIME sniffing and allow only our own assets.
pub fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Referrer-Policy", "same-origin"))
        // Staff pages and exports show personal data: no copy in any cache
        // (assets set their own caching, which this default does not replace).
        .add(("Cache-Control", "no-store"))
        .add((
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ))
}

/// One structured log line per request: method, path (never the query string,
/// which may carry names or ID numbers), status and duration.
pub async fn log_request(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = req.method().to_string();
    let path = loggable_path(req.path());
    let result = next.call(req).await;
    let seconds = started.elapsed().as_secs_f64();
    let elapsed_ms = seconds * 1000.0;
    match &result {
        Ok(res) => {
            let route = res.request().match_pattern();
            metrics::observe(route.as_deref(), &method, res.status().as_u16(), seconds);
            // The route's pattern stands for the path when there is one: a
            // path may carry a citizen's private token.
            let path = route.unwrap_or(path);
            tracing::info!(
                target: "motcua::http",
                method,
                path,
                status = res.status().as_u16(),
                elapsed_ms,
                "request"
            )
        }
        Err(e) => {
            let status = e.as_response_error().status_code().as_u16();
            metrics::observe(None, &method, status, seconds);
            tracing::warn!(target: "motcua::http", method, path, error = %e, elapsed_ms, "request failed")
        }
    }
    result
}

/// The path as logged: a status page's token is a key to a citizen's dossier.
fn loggable_path(path: &str) -> String {
    match path.strip_prefix("/tra-cuu/") {
        Some(rest) if !rest.is_empty() => "/tra-cuu/…".to_string(),
        _ => path.chars().take(200).collect(),
    }
}

/// The client's address: the peer, or the proxy's `X-Forwarded-For` when trusted.
pub fn client_address(req: &HttpRequest, state: &AppState) -> String {
    // Behind a trusted proxy, the right-most X-Forwarded-For entry is the one
    // the proxy added; those to its left are whatever the client sent.
    if state.config.trust_proxy {
        let forwarded = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .map(str::trim)
            .filter(|v| !v.is_empty());
        if let Some(addr) = forwarded {
            return addr.to_string();
        }
    }
    req.connection_info()
        .peer_addr()
        .unwrap_or("unknown")
        .to_string()
}

/// A redirect after a successful POST (Post/Redirect/Get).
/// A file to download: its type, its name and its bytes.
pub fn attachment(content_type: &str, file_name: &str, bytes: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{file_name}\""),
        ))
        .body(bytes)
}

/// The content type of an Excel workbook.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((actix_web::http::header::LOCATION, location))
        .finish()
}

/// A `next` target is followed only when it is a path on this site.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !matches!(n.as_bytes().get(1), Some(b'/') | Some(b'\\'))
                && !n
                    .chars()
                    .any(|c| c.is_control() || c.is_whitespace() || c == '\\') =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

/// Renders a page with its status.
pub fn html<T: askama::Template>(
    status: actix_web::http::StatusCode,
    page: &T,
) -> Result<HttpResponse, crate::error::AppError> {
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(page.render()?))
}

/// 200 for a fresh form, 422 when it comes back with errors.
pub fn form_status(errors: &crate::domain::fields::FieldErrors) -> actix_web::http::StatusCode {
    if errors.is_empty() {
        actix_web::http::StatusCode::OK
    } else {
        actix_web::http::StatusCode::UNPROCESSABLE_ENTITY
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_site() {
        assert_eq!(safe_next(Some("/admin/users")), "/admin/users");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil")), "/");
        assert_eq!(safe_next(Some("/\t/evil.example")), "/");
        assert_eq!(safe_next(Some("/\n/evil.example")), "/");
        assert_eq!(
            safe_next(Some("/admin/users?q=a%20b")),
            "/admin/users?q=a%20b"
        );
        assert_eq!(safe_next(None), "/");
    }
}
