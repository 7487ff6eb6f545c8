//! The citizen's side: the front door, the status lookup by code and
//! verifier (posted, so the digits stay out of URLs and logs), and the status
//! page, also reached from the receipt's QR code by its random token. No
//! name, ID number, phone, email or address is shown.

use std::sync::Arc;

use actix_web::http::header::{HeaderValue, REFERRER_POLICY};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::layout::Layout;
use super::{client_address, html};
use crate::auth::csrf::CsrfForm;
use crate::auth::extract::session_user;
use crate::domain::citizen::{
    parse_code, parse_verifier, NOT_FOUND, TOO_MANY_LOOKUPS, VERIFIER_RULE,
};
use crate::domain::fields::FieldErrors;
use crate::domain::time::{format_date, format_datetime, now_utc};
use crate::error::AppError;
use crate::services::citizens::{self, Found, FrontDoor, PublicStatus, Refusal};
use crate::services::reception::DocumentInput;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "public/front.html")]
struct FrontPage {
    page: Layout,
    front: Arc<FrontDoor>,
    rule: &'static str,
}

/// The front door, for visitors who are not signed in.
pub async fn front_door(req: &HttpRequest, state: &AppState) -> Result<HttpResponse, AppError> {
    let front = state.front_door().await?;
    html(
        StatusCode::OK,
        &FrontPage {
            page: Layout::public(req, "Trang thông tin cho công dân", None, front.clone()),
            front,
            rule: VERIFIER_RULE,
        },
    )
}

/// What the lookup form holds.
#[derive(Deserialize, Default)]
pub struct LookupForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    verifier: String,
}

#[derive(Template)]
#[template(path = "public/lookup.html")]
struct LookupPage {
    page: Layout,
    code: String,
    verifier: String,
    errors: FieldErrors,
    /// Not found or too many tries: a message above the form.
    problem: Option<&'static str>,
    rule: &'static str,
}

#[derive(Deserialize)]
pub struct LookupQuery {
    ma: Option<String>,
}

async fn lookup_page(
    req: &HttpRequest,
    state: &AppState,
    status: StatusCode,
    code: String,
    errors: FieldErrors,
    problem: Option<&'static str>,
) -> Result<HttpResponse, AppError> {
    let front = state.front_door().await?;
    let user = session_user(req).await.ok().flatten();
    html(
        status,
        &LookupPage {
            page: Layout::public(req, "Tra cứu tình trạng hồ sơ", user.as_ref(), front),
            code,
            // The verifier never comes back in the page.
            verifier: String::new(),
            errors,
            problem,
            rule: VERIFIER_RULE,
        },
    )
}

pub async fn lookup_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<LookupQuery>,
) -> Result<HttpResponse, AppError> {
    let code = query
        .ma
        .as_deref()
        .and_then(|c| parse_code(c).ok())
        .unwrap_or_default();
    lookup_page(&req, &state, StatusCode::OK, code, FieldErrors::new(), None).await
}

pub async fn lookup_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    CsrfForm(form): CsrfForm<LookupForm>,
) -> Result<HttpResponse, AppError> {
    let mut errors = FieldErrors::new();
    let code = errors.check("code", parse_code(&form.code));
    let verifier = errors.check("verifier", parse_verifier(&form.verifier));
    let typed = form.code.trim().chars().take(60).collect::<String>();
    let (Some(code), Some(verifier)) = (code, verifier) else {
        return lookup_page(
            &req,
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            typed,
            errors,
            None,
        )
        .await;
    };
    let address = client_address(&req, &state);
    let found = {
        let code = code.clone();
        state
            .db
            .run(move |conn| citizens::lookup(conn, &code, &verifier, &address, now_utc()))
            .await?
    };
    match found {
        Ok(found) => status_response(&req, &state, found, FieldErrors::new(), StatusCode::OK).await,
        Err(Refusal::NotFound) => {
            lookup_page(
                &req,
                &state,
                StatusCode::NOT_FOUND,
                code,
                errors,
                Some(NOT_FOUND),
            )
            .await
        }
        Err(Refusal::TooMany) => {
            lookup_page(
                &req,
                &state,
                StatusCode::TOO_MANY_REQUESTS,
                code,
                errors,
                Some(TOO_MANY_LOOKUPS),
            )
            .await
        }
    }
}

/// One line of the timeline, as shown.
pub struct StepView {
    pub at: String,
    pub label: String,
}

/// A document of the online supplement: its name, the file field, and the
/// key its message comes under.
pub struct AskedView {
    pub name: String,
    pub field: String,
    pub key: String,
}

#[derive(Template)]
#[template(path = "public/status.html")]
struct StatusPage {
    page: Layout,
    s: PublicStatus,
    status_label: &'static str,
    received_at: String,
    due_date: String,
    original_due_date: String,
    timeline: Vec<StepView>,
    /// The documents the online supplement brings, one file each.
    asked: Vec<AskedView>,
    errors: FieldErrors,
    accepted_types: &'static str,
}

/// What the status page shows of `found`: its status, and the documents
/// an online supplement is to bring.
fn load_status(
    conn: &mut crate::db::DbConnection,
    found: Found,
) -> Result<(PublicStatus, Vec<DocumentInput>), AppError> {
    use crate::services::submissions::{asked_lines, SupplementTarget};
    let s = citizens::status_of(conn, found.clone())?;
    let asked = match (&s.upload_token, found) {
        (Some(_), Found::Dossier(d)) => asked_lines(conn, &SupplementTarget::Dossier(d))?,
        (Some(_), Found::Submission(x)) => asked_lines(conn, &SupplementTarget::Submission(x))?,
        _ => Vec::new(),
    };
    Ok((s, asked))
}

pub(crate) async fn status_response(
    req: &HttpRequest,
    state: &AppState,
    found: Found,
    errors: FieldErrors,
    code: StatusCode,
) -> Result<HttpResponse, AppError> {
    let (s, asked) = state.db.run(move |conn| load_status(conn, found)).await?;
    let page = render_status(req, state, s, asked, errors).await?;
    Ok(status_html(code, page.to_string()))
}

/// The page as HTML, with the header that keeps the QR link's token from
/// leaking to other sites.
fn status_html(
    code: StatusCode,
    body: impl actix_web::body::MessageBody + 'static,
) -> HttpResponse {
    HttpResponse::build(code)
        .content_type("text/html; charset=utf-8")
        .insert_header((REFERRER_POLICY, HeaderValue::from_static("no-referrer")))
        .body(body)
}

async fn render_status(
    req: &HttpRequest,
    state: &AppState,
    s: PublicStatus,
    asked: Vec<DocumentInput>,
    errors: FieldErrors,
) -> Result<Arc<str>, AppError> {
    let front = state.front_door().await?;
    let user = session_user(req).await.ok().flatten();
    let has_form = s.upload_token.is_some();
    let page = StatusPage {
        asked: asked
            .into_iter()
            .enumerate()
            .map(|(i, a): (usize, DocumentInput)| AskedView {
                name: a.name,
                field: format!("file.{i}"),
                key: format!("documents.{i}.file"),
            })
            .collect(),
        errors,
        accepted_types: crate::domain::scan::ACCEPTED_TYPES,
        page: if has_form {
            Layout::public(req, "Tình trạng hồ sơ", user.as_ref(), front)
        } else {
            Layout::public_without_forms(req, "Tình trạng hồ sơ", user.as_ref(), front)
        },
        status_label: s.status.label(),
        received_at: format_datetime(s.received_at),
        due_date: s.due_date.map(format_date).unwrap_or_default(),
        original_due_date: s.original_due_date.map(format_date).unwrap_or_default(),
        timeline: s
            .timeline
            .iter()
            .map(|t| StepView {
                at: format_datetime(t.at),
                label: t.label.clone(),
            })
            .collect(),
        s,
    };
    Ok(Arc::from(page.render()?))
}

pub async fn by_token(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let token = path.into_inner();
    if token.len() > 64
        || !token
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(AppError::NotFound);
    }
    // A visitor without a session (the QR code scanned on a phone) gets the
    // page rendered for the last one, while nothing changed.
    let anonymous = req.cookie(crate::auth::session::COOKIE).is_none();
    if anonymous {
        if let Some(page) = state.cached_status_page(&token) {
            return Ok(status_html(StatusCode::OK, page.to_string()));
        }
    }
    let writes = crate::db::writes();
    let key = token.clone();
    let (s, asked) = state
        .db
        .run(move |conn| {
            let found = citizens::by_token(conn, &key)?.ok_or(AppError::NotFound)?;
            load_status(conn, found)
        })
        .await?;
    // A page with a form carries the session's CSRF token: never shared.
    let shareable = anonymous && s.upload_token.is_none();
    let page = render_status(&req, &state, s, asked, FieldErrors::new()).await?;
    if shareable {
        state.keep_status_page(&token, writes, page.clone());
    }
    Ok(status_html(StatusCode::OK, page.to_string()))
}
