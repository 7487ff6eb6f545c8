//! Extractors that admit a request only for the roles a route declares:
//! `Staff<R>` for pages (session cookie), `ApiStaff<R>` for the API (bearer token).

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

use actix_session::SessionExt;
use actix_web::{dev::Payload, web, FromRequest, HttpRequest};
use sha2::{Digest, Sha256};

use super::session;
use crate::db::api_tokens::ApiToken;
use crate::db::users::User;
use crate::domain::role::RoleSet;
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

/// A logged-in staff member whose role is in `R`.
pub struct Staff<R: RoleSet> {
    pub user: CurrentUser,
    _roles: PhantomData<R>,
}

impl<R: RoleSet> std::ops::Deref for Staff<R> {
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
            User::with_office(conn, user_id)
        })
        .await?;
    let user = found.and_then(|(user, office)| {
        (user.active && user.session_epoch == login.epoch)
            .then(|| CurrentUser::from_row(user, office))
            .flatten()
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

impl<R: RoleSet + 'static> FromRequest for Staff<R> {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let next = return_path(&req);
            let Some(user) = session_user(&req).await? else {
                return Err(AppError::LoginRequired {
                    next,
                    expired: false,
                });
            };
            if user.must_change_password && !ALLOWED_BEFORE_PASSWORD_CHANGE.contains(&req.path()) {
                return Err(AppError::PasswordChangeRequired);
            }
            if !R::ROLES.contains(&user.role) {
                tracing::warn!(user = %user.username, path = req.path(), "role refused");
                return Err(AppError::Forbidden);
            }
            Ok(Staff {
                user,
                _roles: PhantomData,
            })
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

/// An API caller holding a valid bearer token of a user whose role is in `R`.
pub struct ApiStaff<R: RoleSet> {
    pub user: CurrentUser,
    _roles: PhantomData<R>,
}

impl<R: RoleSet> std::ops::Deref for ApiStaff<R> {
    type Target = CurrentUser;
    fn deref(&self) -> &CurrentUser {
        &self.user
    }
}

impl<R: RoleSet + 'static> FromRequest for ApiStaff<R> {
    type Error = crate::error::ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        use crate::error::ApiError;
        let req = req.clone();
        Box::pin(async move {
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
            let st = state(&req).map_err(ApiError::from)?;
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
            if !R::ROLES.contains(&user.role) {
                return Err(ApiError::forbidden());
            }
            Ok(ApiStaff {
                user,
                _roles: PhantomData,
            })
        })
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
