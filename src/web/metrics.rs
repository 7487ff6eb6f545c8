//! `GET /metrics` in Prometheus' text format: request latency by route,
//! database pool use, the outbox backlog and receptions per office.
//!
//! Protected by a bearer token (`MOTCUA_METRICS_TOKEN`); without one
//! configured the route answers 404, so a public listener shows nothing.
//! Latency is counted per instance (sum the instances' histograms); the
//! backlog and receptions are read from the shared database at scrape time,
//! so every instance reports the same values (take one, or the max).

use std::sync::LazyLock;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntGauge, IntGaugeVec, Opts, Registry, TextEncoder,
};
use sha2::{Digest, Sha256};

use crate::db::{dossiers, outbox};
use crate::state::AppState;

/// Request latency by route pattern (never the path: it may hold a token).
static LATENCY: LazyLock<HistogramVec> = LazyLock::new(|| {
    HistogramVec::new(
        HistogramOpts::new(
            "motcua_http_request_duration_seconds",
            "Thời gian xử lý yêu cầu HTTP, theo mẫu đường dẫn, phương thức và mã trạng thái.",
        )
        .buckets(vec![
            0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
        ]),
        &["route", "method", "status"],
    )
    .expect("a valid histogram")
});

/// Counts one answered request.
pub fn observe(route: Option<&str>, method: &str, status: u16, seconds: f64) {
    LATENCY
        .with_label_values(&[route.unwrap_or("unmatched"), method, &status.to_string()])
        .observe(seconds);
}

/// Whether the request carries the configured token (compared as digests,
/// so the time taken says nothing about the token).
fn authorised(req: &HttpRequest, expected: &str) -> bool {
    let given = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    Sha256::digest(given.trim().as_bytes()) == Sha256::digest(expected.as_bytes())
}

fn gauge_vec(name: &str, help: &str, label: &str, values: &[(String, i64)]) -> IntGaugeVec {
    let g = IntGaugeVec::new(Opts::new(name, help), &[label]).expect("a valid gauge");
    for (key, value) in values {
        g.with_label_values(&[key.as_str()]).set(*value);
    }
    g
}

pub async fn metrics(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let Some(expected) = state.config.metrics_token.as_deref() else {
        return HttpResponse::NotFound().finish();
    };
    if !authorised(&req, expected) {
        return HttpResponse::Unauthorized()
            .insert_header((header::WWW_AUTHENTICATE, "Bearer"))
            .finish();
    }
    let read = state
        .db
        .run(|conn| Ok((outbox::counts(conn)?, dossiers::received_per_office(conn)?)))
        .await;
    let registry = Registry::new();
    let mut families = Vec::new();
    let (open, idle, max) = state.db.pool_use();
    let pool = IntGaugeVec::new(
        Opts::new(
            "motcua_db_pool_connections",
            "Kết nối cơ sở dữ liệu của tiến trình này: đang dùng, rảnh, tối đa.",
        ),
        &["state"],
    )
    .expect("a valid gauge");
    pool.with_label_values(&["in_use"])
        .set(i64::from(open.saturating_sub(idle)));
    pool.with_label_values(&["idle"]).set(i64::from(idle));
    pool.with_label_values(&["max"]).set(i64::from(max));
    let up = IntGauge::new(
        "motcua_database_up",
        "1 khi cơ sở dữ liệu trả lời lần đọc số liệu này.",
    )
    .expect("a valid gauge");
    up.set(i64::from(read.is_ok()));
    let _ = registry.register(Box::new(LATENCY.clone()));
    let _ = registry.register(Box::new(pool));
    let _ = registry.register(Box::new(up));
    match read {
        Ok((backlog, offices)) => {
            let _ = registry.register(Box::new(gauge_vec(
                "motcua_outbox_messages",
                "Thư điện tử và tin nhắn trong hộp thư đi, theo trạng thái (pending là số còn chờ gửi).",
                "status",
                &backlog,
            )));
            let _ = registry.register(Box::new(gauge_vec(
                "motcua_dossiers_received",
                "Số hồ sơ đã tiếp nhận, theo mã đơn vị.",
                "office",
                &offices,
            )));
        }
        Err(e) => tracing::error!(error = %e, "metrics: database unavailable"),
    }
    families.extend(registry.gather());
    let mut body = Vec::new();
    if TextEncoder::new().encode(&families, &mut body).is_err() {
        return HttpResponse::InternalServerError().finish();
    }
    HttpResponse::Ok()
        .content_type(prometheus::TEXT_FORMAT)
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body)
}
