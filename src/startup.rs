//! Builds the application: the database migrated then seeded (on every
//! start), the HTTP server on a port.

use std::net::TcpListener;

use actix_session::config::{BrowserSession, CookieContentSecurity};
use actix_session::storage::CookieSessionStore;
use actix_session::SessionMiddleware;
use actix_web::cookie::{Key, SameSite};
use actix_web::dev::Server;
use actix_web::{web, App, HttpServer};
use sha2::{Digest, Sha512};

use crate::config::Config;
use crate::db::{self, Db};
use crate::domain::time::now_utc;
use crate::error::AppError;
use crate::services::passwords;
use crate::services::seed;
use crate::state::AppState;

pub struct Application {
    port: u16,
    server: Server,
    /// The outbox sender, started with the server when configured.
    delivery: Option<std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>>,
    /// The `admin` password generated on this first start, if any: print it once.
    pub generated_admin_password: Option<String>,
}

/// Opens the database, migrates it, then seeds it, once across instances
/// starting together (a lock held for both).
pub fn prepare_database(config: &Config) -> Result<(Db, seed::Seeded), AppError> {
    config.check().map_err(AppError::Startup)?;
    let db = Db::connect(&config.database_url)?;
    let cost = config.hash_cost;
    let seeded = {
        let mut conn = db.get()?;
        db::with_startup_lock(&mut conn, |conn| {
            db::migrate(conn)?;
            seed::on_start(
                conn,
                config.admin_password.as_deref(),
                config.secret_key.as_deref(),
                |p| passwords::hash(cost, p).map_err(|e| AppError::Internal(e.to_string())),
                now_utc(),
            )
        })?
    };
    Ok((db, seeded))
}

/// A 64-byte cookie key derived from the configured secret, whatever its length.
fn cookie_key(secret: &str) -> Key {
    Key::from(&Sha512::digest(secret.as_bytes())[..])
}

impl Application {
    pub fn build(config: Config) -> Result<Application, AppError> {
        Self::build_with_workers(config, None)
    }

    /// As `build`, with a fixed number of workers (tests use one).
    pub fn build_with_workers(
        config: Config,
        workers: Option<usize>,
    ) -> Result<Application, AppError> {
        let (db, boot) = prepare_database(&config)?;
        let listener = TcpListener::bind(&config.bind)
            .map_err(|e| AppError::Startup(format!("Không mở được cổng {}: {e}", config.bind)))?;
        let port = listener
            .local_addr()
            .map_err(|e| AppError::Startup(e.to_string()))?
            .port();
        let delivery = if config.delivery.worker {
            let transports = crate::services::delivery::Transports::from_config(&config)?;
            let fut: std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> = Box::pin(
                crate::services::delivery::run(db.clone(), transports, config.delivery.poll_ms),
            );
            Some(fut)
        } else {
            None
        };
        let key = cookie_key(&boot.session_secret);
        let secure = config.secure_cookies();
        let state = web::Data::new(AppState::new(
            db,
            config.clone(),
            passwords::dummy_hash(config.hash_cost),
        ));
        let mut server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .app_data(crate::web::api::json_config())
                .app_data(crate::web::api::query_config())
                .wrap(actix_web::middleware::from_fn(
                    crate::web::input_guard::refuse_control_characters,
                ))
                .wrap(
                    SessionMiddleware::builder(CookieSessionStore::default(), key.clone())
                        .cookie_name(crate::auth::session::COOKIE.to_string())
                        .cookie_http_only(true)
                        .cookie_same_site(SameSite::Lax)
                        .cookie_secure(secure)
                        .cookie_content_security(CookieContentSecurity::Private)
                        .session_lifecycle(BrowserSession::default())
                        .build(),
                )
                .wrap(crate::web::security_headers())
                .wrap(actix_web::middleware::from_fn(crate::web::log_request))
                .configure(crate::web::routes)
        })
        .listen(listener)
        .map_err(|e| AppError::Startup(e.to_string()))?;
        if let Some(n) = workers {
            server = server.workers(n);
        }
        Ok(Application {
            port,
            server: server.run(),
            delivery,
            generated_admin_password: boot.generated_admin_password,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until stopped; the outbox sender runs beside the server and
    /// stops with it.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let sender = self.delivery.map(tokio::spawn);
        let result = self.server.await;
        if let Some(s) = sender {
            s.abort();
        }
        result
    }
}
