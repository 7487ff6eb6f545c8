//! `GET /healthz`: 200 when the database answers, 503 otherwise.

use actix_web::{web, HttpResponse};

use crate::state::AppState;

pub async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    match state.db.run(crate::db::ping).await {
        Ok(()) => HttpResponse::Ok().json(serde_json::json!({"status": "ok", "database": "ok"})),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            HttpResponse::ServiceUnavailable()
                .json(serde_json::json!({"status": "error", "database": "unavailable"}))
        }
    }
}

/// `GET /livez`: 200 while the process serves, without touching the
/// database (a liveness probe; the ceiling of the load benchmark).
pub async fn livez() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body("ok")
}
