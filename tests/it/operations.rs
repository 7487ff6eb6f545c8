//! What the province's operators see: `/metrics` for Prometheus, behind its
//! token, counting requests by route pattern, the pool, the outbox backlog
//! and receptions per office.

use serde_json::Value;

use crate::dossiers_api::valid_body;
use crate::helpers::{spawn_with, Backend, TestApp};
use crate::processing::{new_dossier, team};

const TOKEN: &str = "khoa-prometheus-dai-hon-ba-muoi-hai-ky-tu";

async fn scrape(app: &TestApp, token: Option<&str>) -> (u16, String) {
    let mut req = app.client.get(app.url("/metrics"));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let r = req.send().await.expect("GET /metrics");
    (r.status().as_u16(), r.text().await.unwrap_or_default())
}

async fn metrics_are_protected_and_count(backend: Backend) {
    let Some(app) = spawn_with(backend, |c| c.metrics_token = Some(TOKEN.into())).await else {
        return;
    };
    assert_eq!(scrape(&app, None).await.0, 401);
    assert_eq!(scrape(&app, Some("sai")).await.0, 401);
    let t = team(&app).await;
    let d: Value = new_dossier(&app, &t, valid_body()).await;
    let link = d["lookup_url"].as_str().expect("lookup_url");
    let token = link.rsplit('/').next().expect("token");
    for _ in 0..3 {
        assert_eq!(app.get("/healthz").await.status().as_u16(), 200);
    }
    assert_eq!(
        app.get(&format!("/tra-cuu/{token}"))
            .await
            .status()
            .as_u16(),
        200
    );
    let (status, body) = scrape(&app, Some(TOKEN)).await;
    assert_eq!(status, 200);
    let line = |prefix: &str| -> f64 {
        body.lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("{prefix} in {body}"))
            .rsplit(' ')
            .next()
            .expect("value")
            .parse()
            .expect("number")
    };
    assert!(
        line(
            "motcua_http_request_duration_seconds_count{method=\"GET\",route=\"/healthz\",status=\"200\"}"
        ) >= 3.0
    );
    // (Counted per process; other tests' apps share this one.)
    assert!(
        line("motcua_http_request_duration_seconds_count{method=\"GET\",route=\"/tra-cuu/{token}\",status=\"200\"}")
            >= 1.0
    );
    assert!(!body.contains(token), "no citizen's token in the metrics");
    assert_eq!(
        line(&format!(
            "motcua_dossiers_received{{office=\"{}\"}}",
            motcua::services::seed::DEFAULT_OFFICE_CODE
        )),
        1.0
    );
    // No sender configured: the reception's email waits in the outbox.
    assert!(line("motcua_outbox_messages{status=\"pending\"}") >= 1.0);
    assert!(line("motcua_db_pool_connections{state=\"max\"}") >= 1.0);
    assert_eq!(line("motcua_database_up"), 1.0);

    // Without a token configured, there is no /metrics at all.
    let Some(plain) = spawn_with(backend, |_| {}).await else {
        return;
    };
    assert_eq!(scrape(&plain, Some(TOKEN)).await.0, 404);
}

#[tokio::test]
async fn metrics_sqlite() {
    metrics_are_protected_and_count(Backend::Sqlite).await;
}

#[tokio::test]
async fn metrics_postgres() {
    metrics_are_protected_and_count(Backend::Postgres).await;
}

/// The status page scanned from a receipt opens no session, and shows a
/// change at once although pages are reused while nothing changes.
async fn status_pages_are_shared_but_never_stale(backend: Backend) {
    let Some(app) = spawn_with(backend, |_| {}).await else {
        return;
    };
    let t = team(&app).await;
    let d: Value = new_dossier(&app, &t, valid_body()).await;
    let code = d["code"].as_str().expect("code").to_string();
    let link = d["lookup_url"].as_str().expect("lookup_url");
    let path = format!("/tra-cuu/{}", link.rsplit('/').next().expect("token"));
    let phone = app.other_browser();
    let mut pages = Vec::new();
    for _ in 0..3 {
        let r = phone.get(&path).await;
        assert_eq!(r.status().as_u16(), 200);
        assert!(
            r.headers().get("set-cookie").is_none(),
            "no session for a visitor reading their status"
        );
        assert_eq!(
            r.headers()
                .get("referrer-policy")
                .and_then(|v| v.to_str().ok()),
            Some("no-referrer")
        );
        pages.push(r.text().await.expect("page"));
    }
    assert!(pages.iter().all(|p| p == &pages[0]));
    assert!(pages[0].contains("Đã tiếp nhận"), "{}", pages[0]);
    let (status, _) = crate::processing::act(
        &app,
        &t.leader,
        &code,
        serde_json::json!({"action": "assign", "officer": "chuyenvien"}),
    )
    .await;
    assert_eq!(status, 200);
    let (_, page) = phone.get_text(&path).await;
    assert!(page.contains("Đang xử lý"), "the change shows at once");
}

#[tokio::test]
async fn status_pages_sqlite() {
    status_pages_are_shared_but_never_stale(Backend::Sqlite).await;
}

#[tokio::test]
async fn status_pages_postgres() {
    status_pages_are_shared_but_never_stale(Backend::Postgres).await;
}
