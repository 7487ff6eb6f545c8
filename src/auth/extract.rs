//! Extractors that admit a request only for the roles a route declares:
//! `Staff<R>` for pages (session cookie), `ApiStaff<R>` for the API (bearer token).

use actix_session::SessionExt;
use actix_web::{dev::Payload, web, FromRequest, HttpMessage, HttpRequest};
use sha2::{Digest, Sha256};

use super::session;
use crate::db::api_tokens::ApiToken;
use crate::db::users::User;
use crate::domain::time::now_utc;
use crate::domain::Role;
use crate::error::AppError;
use crate::state::AppState;

/// The staff member behind a request.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub role: Role,
    pub office_id: i64,
    pub office_code: String,
    pub office_name: String,
    pub must_change_password: bool,
    /// Whether two-factor login is on for this user.
    pub two_factor: bool,
    /// Whether this user must set two-factor login up before working
    /// (required by the administrator for the role, and not on yet).
    pub two_factor_missing: bool,
}

impl CurrentUser {
    fn from_row(user: User, office: crate::db::offices::Office) -> Option<CurrentUser> {
        Some(CurrentUser {
            id: user.id,
            role: user.role()?,
            username: user.username,
            full_name: user.full_name,
            office_id: office.id,
            office_code: office.code,
            office_name: office.name,
            must_change_password: user.must_change_password,
            two_factor: false,
            two_factor_missing: false,
        })
    }
}

fn state(req: &HttpRequest) -> Result<web::Data<AppState>, AppError> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| AppError::Internal("application state missing".into()))
}

/// Pages where a user who must change the password may still go.
const ALLOWED_BEFORE_PASSWORD_CHANGE: [&str; 2] = ["/account/password", "/logout"];
/// Pages where a user who must set up two-factor login may still go.
const ALLOWED_BEFORE_TWO_FACTOR: [&str; 3] = ["/account/hai-lop", "/account/password", "/logout"];

/// A signed-in staff member, admitted by the route table's access check
/// (`web::routes`), which resolved the user before the handler ran.
pub struct Staff {
    pub user: CurrentUser,
}

impl std::ops::Deref for Staff {
    type Target = CurrentUser;
    fn deref(&self) -> &CurrentUser {
        &self.user
    }
}

/// Loads the session's user, whatever the role; `None` when not logged in.
pub async fn session_user(req: &HttpRequest) -> Result<Option<CurrentUser>, AppError> {
    let session = req.get_session();
    let Some(login) = session::current(&session) else {
        return Ok(None);
    };
    let st = state(req)?;
    let now = chrono::Utc::now().timestamp();
    if now - login.seen > st.config.session_idle_seconds {
        session::end_login(&session);
        return Err(AppError::LoginRequired {
            next: return_path(req),
            expired: true,
        });
    }
    let user_id = login.user_id;
    let sid = login.sid.clone();
    let found = st
        .db
        .run(move |conn| {
            if crate::db::revoked_sessions::is_revoked(conn, &sid)? {
                return Ok(None);
            }
            let Some(found) = User::with_office(conn, user_id)? else {
                return Ok(None);
            };
            let enrolled = crate::db::two_factor::find(conn, user_id)?.is_some();
            let required = !enrolled && crate::db::two_factor::required(conn)?;
            Ok(Some((found, enrolled, required)))
        })
        .await?;
    let user = found.and_then(|((user, office), enrolled, required)| {
        (user.active && user.session_epoch == login.epoch)
            .then(|| CurrentUser::from_row(user, office))
            .flatten()
            .map(|mut u| {
                u.two_factor = enrolled;
                u.two_factor_missing = required && crate::domain::two_factor::applies_to(u.role);
                u
            })
    });
    match user {
        Some(u) => {
            session::touch(&session, now);
            Ok(Some(u))
        }
        None => {
            // Deactivated, password reset, or role changed: the session ends at once.
            session::end_login(&session);
            Ok(None)
        }
    }
}

/// The staff member a page route admits: signed in through the session, past
/// any forced password change, and holding one of `roles`.
pub async fn admit_page(req: &HttpRequest, roles: &[Role]) -> Result<CurrentUser, AppError> {
    let Some(user) = session_user(req).await? else {
        return Err(AppError::LoginRequired {
            next: return_path(req),
            expired: false,
        });
    };
    if user.must_change_password && !ALLOWED_BEFORE_PASSWORD_CHANGE.contains(&req.path()) {
        return Err(AppError::PasswordChangeRequired);
    }
    if user.two_factor_missing && !ALLOWED_BEFORE_TWO_FACTOR.contains(&req.path()) {
        return Err(AppError::TwoFactorSetupRequired);
    }
    if !roles.contains(&user.role) {
        tracing::warn!(user = %user.username, path = req.path(), "role refused");
        return Err(AppError::Forbidden);
    }
    Ok(user)
}

/// The user the access check stored for this request.
fn admitted(req: &HttpRequest) -> Option<CurrentUser> {
    req.extensions().get::<CurrentUser>().cloned()
}

impl FromRequest for Staff {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    /// A handler asking for `Staff` on a route the table declares public
    /// gets a sign-in redirect; the access-matrix test would show it.
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(match admitted(req) {
            Some(user) => Ok(Staff { user }),
            None => Err(AppError::LoginRequired {
                next: return_path(req),
                expired: false,
            }),
        })
    }
}

/// Where to come back after signing in: the page itself, or for a form
/// posted after the session ended, the page the form was on (its `Referer`,
/// when it is this site's), whose typed values the page's script restores.
fn return_path(req: &HttpRequest) -> String {
    let own = req
        .uri()
        .path_and_query()
        .map(|p| p.to_string())
        .unwrap_or_else(|| "/".into());
    if req.method() == actix_web::http::Method::GET {
        return own;
    }
    let host = req.connection_info().host().to_string();
    req.headers()
        .get(actix_web::http::header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| url_path_on(r, &host))
        .unwrap_or(own)
}

/// The path and query of `url` when it points at `host`.
fn url_path_on(url: &str, host: &str) -> Option<String> {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))?;
    let (h, path) = rest.split_at(rest.find('/')?);
    (h == host && path.starts_with('/') && !path.starts_with("//")).then(|| path.to_string())
}

/// SHA-256 of an API token, as stored.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// An API caller admitted by the route table's access check.
pub struct ApiStaff {
    pub user: CurrentUser,
}

impl std::ops::Deref for ApiStaff {
    type Target = CurrentUser;
    fn deref(&self) -> &CurrentUser {
        &self.user
    }
}

/// The API caller a route admits: a valid bearer token of an active user
/// holding one of `roles`.
pub async fn admit_api(
    req: &HttpRequest,
    roles: &[Role],
) -> Result<CurrentUser, crate::error::ApiError> {
    use crate::error::ApiError;
    let token = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .ok_or_else(ApiError::unauthorized)?;
    let st = state(req).map_err(ApiError::from)?;
    let hash = token_hash(&token);
    let found = st
        .db
        .run(move |conn| {
            let Some(user_id) = ApiToken::user_of(conn, &hash, now_utc())? else {
                return Ok(None);
            };
            User::with_office(conn, user_id)
        })
        .await?;
    let user = found
        .filter(|(u, _)| u.active && !u.must_change_password)
        .and_then(|(u, o)| CurrentUser::from_row(u, o))
        .ok_or_else(ApiError::unauthorized)?;
    if !roles.contains(&user.role) {
        return Err(ApiError::forbidden());
    }
    Ok(user)
}

impl FromRequest for ApiStaff {
    type Error = crate::error::ApiError;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(
            admitted(req)
                .map(|user| ApiStaff { user })
                .ok_or_else(crate::error::ApiError::unauthorized),
        )
    }
}

/// The signed-in user as the use cases know him.
impl From<&CurrentUser> for crate::services::Actor {
    fn from(u: &CurrentUser) -> Self {
        crate::services::Actor {
            user_id: u.id,
            username: u.username.clone(),
            full_name: u.full_name.clone(),
            office_id: u.office_id,
            role: u.role,
        }
    }
}
