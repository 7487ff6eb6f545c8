//! The dossier API: creation, reading, listing, validation, idempotency,
//! and gapless codes under concurrent receptions.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use crate::helpers::{start, test_config, Backend, TestApp};
use crate::on_both_backends;

on_both_backends!(
    a_dossier_is_created_read_and_listed,
    invalid_receptions_get_422_with_fields,
    retries_with_the_same_key_create_one_dossier,
    past_receptions_take_the_time_then_in_force,
    only_the_counter_receives,
);

pub const RECEPTION_PASSWORD: &str = "tiep-nhan-2026!";

/// A reception user and its API token.
pub async fn reception_token(app: &TestApp, username: &str) -> String {
    app.login_admin().await;
    app.create_user(username, "reception", RECEPTION_PASSWORD)
        .await;
    token_of(app, username, RECEPTION_PASSWORD).await
}

pub async fn token_of(app: &TestApp, username: &str, password: &str) -> String {
    let r = app.api_token(username, password).await;
    assert_eq!(r.status().as_u16(), 201);
    r.json::<Value>().await.expect("json")["token"]
        .as_str()
        .expect("token")
        .to_string()
}

pub fn valid_body() -> Value {
    json!({
        "procedure_code": "THADS-YCTHA",
        "channel": "counter",
        "applicant": {
            "full_name": "Nguyễn Văn An",
            "id_number": "056090001234",
            "phone": "0912 345 678",
            "email": "an.nguyen@example.vn",
            "address": "12 Trần Phú, phường Nha Trang, Khánh Hòa"
        },
        "documents": [
            {"name": "Đơn yêu cầu thi hành án", "form": "original", "count": 1},
            {"name": "Bản án, quyết định được yêu cầu thi hành", "form": "copy", "count": 2}
        ],
        "return_method": "counter",
        "note": "Nộp tại quầy số 2"
    })
}

pub async fn post_dossier(
    app: &TestApp,
    token: &str,
    body: &Value,
    key: Option<&str>,
) -> reqwest::Response {
    let mut req = app
        .client
        .post(app.url("/api/v1/dossiers"))
        .bearer_auth(token)
        .json(body);
    if let Some(k) = key {
        req = req.header("Idempotency-Key", k);
    }
    req.send().await.expect("POST dossiers")
}

async fn get_json(app: &TestApp, token: &str, path: &str) -> (u16, Value) {
    let r = app
        .client
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .expect("GET");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn today_code_prefix() -> String {
    let today = chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).expect("offset"))
        .date_naive();
    format!(
        "{}-{}-",
        motcua::services::seed::DEFAULT_OFFICE_CODE,
        today.format("%y%m%d")
    )
}

async fn a_dossier_is_created_read_and_listed(app: TestApp) {
    let token = reception_token(&app, "tiepnhan").await;
    let mut body = valid_body();
    body["fee_amount"] = json!(50000);
    body["fee_receipt"] = json!("BL-0042");
    let r = post_dossier(&app, &token, &body, None).await;
    assert_eq!(r.status().as_u16(), 201);
    let d: Value = r.json().await.expect("json");
    let code = d["code"].as_str().expect("code").to_string();
    assert_eq!(d["fee_amount"], 50000);
    assert_eq!(d["fee_receipt"], "BL-0042");
    assert_eq!(
        d["register"],
        format!("1/{}", &code[14..16].parse::<i32>().expect("yy") + 2000)
    );
    assert_eq!(code, format!("{}0001", today_code_prefix()));
    assert_eq!(d["status"], "received");
    assert_eq!(d["status_label"], "Đã tiếp nhận");
    assert_eq!(d["voided"], false);
    assert_eq!(d["outcome"], Value::Null);
    assert_eq!(d["procedure"]["code"], "THADS-YCTHA");
    assert_eq!(d["procedure"]["working_days"], 5);
    assert_eq!(d["applicant"]["phone"], "0912345678");
    assert_eq!(d["supplement_requests"], 0);
    assert_eq!(d["overdue"], false);
    assert!(d["received_at"]
        .as_str()
        .expect("received_at")
        .ends_with("+07:00"));
    assert!(d["lookup_url"]
        .as_str()
        .expect("lookup_url")
        .starts_with("http://127.0.0.1:8080/tra-cuu/"));
    let history = d["history"].as_array().expect("history");
    assert_eq!(history.len(), 1);
    assert_eq!(history[0]["action"], "receive");
    assert_eq!(history[0]["from"], Value::Null);
    assert_eq!(history[0]["to"], "received");
    assert_eq!(history[0]["by"], "tiepnhan");

    // The due date is the calendar's answer for the same reception.
    let received_at = d["received_at"].as_str().expect("time");
    let (_, due) = get_json(
        &app,
        &token,
        &format!(
            "/api/v1/calendar/due-date?received_at={}&working_days=5",
            received_at.replace('+', "%2B")
        ),
    )
    .await;
    assert_eq!(d["due_date"], due["due_date"]);
    assert_eq!(d["original_due_date"], due["due_date"]);

    let (status, again) = get_json(&app, &token, &format!("/api/v1/dossiers/{code}")).await;
    assert_eq!(status, 200);
    assert_eq!(again["code"], code.as_str());
    assert_eq!(again["version"], d["version"]);

    let (status, _) = get_json(&app, &token, "/api/v1/dossiers/000.00.00.H00-200101-0001").await;
    assert_eq!(status, 404);

    // A second one, then searches.
    let mut other = valid_body();
    other["applicant"]["full_name"] = json!("Trần Thị Bình");
    other["applicant"]["id_number"] = json!("079185000111");
    other["applicant"]["phone"] = json!("0987000111");
    other["procedure_code"] = json!("THADS-XNKQ");
    other["documents"] = json!([
        {"name": "Đơn đề nghị xác nhận kết quả thi hành án", "form": "original", "count": 1},
        {"name": "Giấy tờ tùy thân của người đề nghị", "form": "copy", "count": 1}
    ]);
    let r = post_dossier(&app, &token, &other, None).await;
    let status = r.status().as_u16();
    let body: Value = r.json().await.expect("json");
    assert_eq!(status, 201, "{body}");
    assert!(body["code"].as_str().expect("code").ends_with("-0002"));

    let (_, all) = get_json(&app, &token, "/api/v1/dossiers").await;
    assert_eq!(all["total"], 2);
    assert_eq!(all["page"], 1);
    assert_eq!(all["per_page"], 50);
    for (q, expect) in [
        ("nguyen%20van%20an", "Nguyễn Văn An"),
        ("NGUYỄN", "Nguyễn Văn An"),
        ("tran%20thi", "Trần Thị Bình"),
        ("0987%20000%20111", "Trần Thị Bình"),
        ("056090001234", "Nguyễn Văn An"),
    ] {
        let (_, found) = get_json(&app, &token, &format!("/api/v1/dossiers?q={q}")).await;
        assert_eq!(found["total"], 1, "q={q}: {found}");
        assert_eq!(found["items"][0]["applicant_name"], expect);
    }
    let (_, wildcard) = get_json(&app, &token, "/api/v1/dossiers?q=%25").await;
    assert_eq!(wildcard["total"], 0, "a typed % matches itself");
    let (_, by_code) = get_json(&app, &token, &format!("/api/v1/dossiers?q={code}")).await;
    assert_eq!(by_code["total"], 1);
    let (_, by_proc) = get_json(&app, &token, "/api/v1/dossiers?procedure=THADS-XNKQ").await;
    assert_eq!(by_proc["total"], 1);
    let (_, by_status) = get_json(&app, &token, "/api/v1/dossiers?status=in_progress").await;
    assert_eq!(by_status["total"], 0);
    let (_, overdue) = get_json(&app, &token, "/api/v1/dossiers?overdue=true").await;
    assert_eq!(overdue["total"], 0);
    let (status, bad) = get_json(&app, &token, "/api/v1/dossiers?status=flying").await;
    assert_eq!(status, 422);
    assert!(bad["fields"]["status"].is_string());
    let (_, paged) = get_json(&app, &token, "/api/v1/dossiers?per_page=1&page=2").await;
    assert_eq!(paged["items"].as_array().expect("items").len(), 1);
    assert_eq!(paged["total"], 2);
}

async fn invalid_receptions_get_422_with_fields(app: TestApp) {
    let token = reception_token(&app, "tiepnhan").await;
    let cases: Vec<(Value, &str)> = vec![
        (
            {
                let mut b = valid_body();
                b["applicant"]["id_number"] = json!("12345");
                b
            },
            "applicant.id_number",
        ),
        (
            {
                let mut b = valid_body();
                b["applicant"]["full_name"] = json!("  ");
                b
            },
            "applicant.full_name",
        ),
        (
            {
                let mut b = valid_body();
                b["documents"] =
                    json!([{"name": "Đơn yêu cầu thi hành án", "form": "original", "count": 1}]);
                b
            },
            "documents",
        ),
        (
            {
                let mut b = valid_body();
                b["return_method"] = json!("postal");
                b
            },
            "postal_address",
        ),
        (
            {
                let mut b = valid_body();
                b["received_at"] = json!("2099-01-01T08:00:00+07:00");
                b
            },
            "received_at",
        ),
        (
            {
                let mut b = valid_body();
                b["received_at"] = json!("hôm qua");
                b
            },
            "received_at",
        ),
        (
            {
                let mut b = valid_body();
                b["procedure_code"] = json!("KHONG-CO");
                b
            },
            "procedure_code",
        ),
        (
            {
                let mut b = valid_body();
                b["received_at"] = json!("-262143-01-01T00:00:00");
                b
            },
            "received_at",
        ),
        (
            {
                let mut b = valid_body();
                b["channel"] = json!("fax");
                b
            },
            "channel",
        ),
        (
            {
                let mut b = valid_body();
                b["applicant"]["address"] = json!("x".repeat(501));
                b
            },
            "applicant.address",
        ),
        (
            {
                let mut b = valid_body();
                b["postmarked_on"] = json!("2026-01-01");
                b
            },
            "postmarked_on",
        ),
        (
            {
                let mut b = valid_body();
                b["fee_amount"] = json!(50000);
                b
            },
            "fee_receipt",
        ),
        (
            {
                let mut b = valid_body();
                b["applicant"]["kind"] = json!("organisation");
                b
            },
            "applicant.representative",
        ),
    ];
    for (body, field) in cases {
        let r = post_dossier(&app, &token, &body, None).await;
        assert_eq!(r.status().as_u16(), 422, "{field}");
        let e: Value = r.json().await.expect("json");
        assert_eq!(e["error"], "validation");
        assert!(
            e["fields"][field].as_str().is_some_and(|m| !m.is_empty()),
            "{field}: {e}"
        );
    }
    let r = app
        .client
        .post(app.url("/api/v1/dossiers"))
        .bearer_auth(&token)
        .header("Content-Type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("POST");
    assert_eq!(r.status().as_u16(), 400);
    // Nothing was created by any of these.
    let (_, all) = get_json(&app, &token, "/api/v1/dossiers").await;
    assert_eq!(all["total"], 0);
}

async fn retries_with_the_same_key_create_one_dossier(app: TestApp) {
    let token = reception_token(&app, "tiepnhan").await;
    let first = post_dossier(&app, &token, &valid_body(), Some("portal-123")).await;
    assert_eq!(first.status().as_u16(), 201);
    let first: Value = first.json().await.expect("json");
    let again = post_dossier(&app, &token, &valid_body(), Some("portal-123")).await;
    assert_eq!(again.status().as_u16(), 201);
    assert_eq!(
        again
            .headers()
            .get("Idempotent-Replayed")
            .and_then(|v| v.to_str().ok()),
        Some("true")
    );
    let again: Value = again.json().await.expect("json");
    assert_eq!(first["code"], again["code"]);
    // A body refused on its own is refused under a used key too...
    let mut broken = valid_body();
    broken["applicant"]["full_name"] = json!("");
    let r = post_dossier(&app, &token, &broken, Some("portal-123")).await;
    assert_eq!(r.status().as_u16(), 422);
    // ...and a valid one gets the first answer (API.md), creating nothing.
    let mut other = valid_body();
    other["note"] = json!("Gửi lại với ghi chú khác");
    let r = post_dossier(&app, &token, &other, Some("portal-123")).await;
    assert_eq!(r.status().as_u16(), 201);
    let r: Value = r.json().await.expect("json");
    assert_eq!(r["code"], first["code"]);
    // Concurrent retries too.
    let mut tasks = Vec::new();
    for _ in 0..6 {
        let client = app.client.clone();
        let url = app.url("/api/v1/dossiers");
        let token = token.clone();
        tasks.push(tokio::spawn(async move {
            let r = client
                .post(url)
                .bearer_auth(token)
                .header("Idempotency-Key", "portal-456")
                .json(&valid_body())
                .send()
                .await
                .expect("POST");
            assert_eq!(r.status().as_u16(), 201);
            r.json::<Value>().await.expect("json")["code"].clone()
        }));
    }
    let mut codes = BTreeSet::new();
    for t in tasks {
        codes.insert(t.await.expect("task").to_string());
    }
    assert_eq!(codes.len(), 1, "{codes:?}");
    let (_, all) = get_json(&app, &token, "/api/v1/dossiers").await;
    assert_eq!(all["total"], 2);
}

async fn past_receptions_take_the_time_then_in_force(app: TestApp) {
    let token = reception_token(&app, "tiepnhan").await;
    let mut body = valid_body();
    body["procedure_code"] = json!("THADS-XNKQ");
    body["documents"] = json!([
        {"name": "Đơn đề nghị xác nhận kết quả thi hành án", "form": "original", "count": 1},
        {"name": "Giấy tờ tùy thân của người đề nghị", "form": "copy", "count": 1}
    ]);
    body["channel"] = json!("postal");
    body["received_at"] = json!("2026-06-30T16:30:00+07:00");
    body["postmarked_on"] = json!("2026-06-27");
    let r = post_dossier(&app, &token, &body, None).await;
    let status = r.status().as_u16();
    let d: Value = r.json().await.expect("json");
    assert_eq!(status, 201, "{d}");
    // Five working days were in force until 30/06/2026: 01/07 .. 07/07.
    assert_eq!(d["procedure"]["working_days"], 5);
    assert_eq!(d["code"], "000.00.00.H00-260630-0001");
    assert_eq!(d["effective_receiving_day"], "2026-06-30");
    assert_eq!(d["due_date"], "2026-07-07");
    assert_eq!(d["postmarked_on"], "2026-06-27");
    assert_eq!(d["channel"], "postal");
    assert_eq!(d["received_at"], "2026-06-30T16:30:00+07:00");
    assert!(d["history"][0]["note"]
        .as_str()
        .expect("note")
        .contains("nhập vào hệ thống"));

    // After 17:00 on 01/07: three days from the next working day.
    body["received_at"] = json!("2026-07-01T17:05:00");
    body["postmarked_on"] = json!("2026-06-29");
    let d: Value = post_dossier(&app, &token, &body, None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(d["procedure"]["working_days"], 3);
    assert_eq!(d["effective_receiving_day"], "2026-07-02");
    assert_eq!(d["due_date"], "2026-07-07");
    assert_eq!(d["code"], "000.00.00.H00-260701-0001");
}

async fn only_the_counter_receives(app: TestApp) {
    app.login_admin().await;
    app.create_user("chuyenvien", "officer", RECEPTION_PASSWORD)
        .await;
    let officer = token_of(&app, "chuyenvien", RECEPTION_PASSWORD).await;
    let r = post_dossier(&app, &officer, &valid_body(), None).await;
    assert_eq!(r.status().as_u16(), 403);
    let admin = token_of(&app, "admin", crate::helpers::ADMIN_PASSWORD).await;
    let r = post_dossier(&app, &admin, &valid_body(), None).await;
    assert_eq!(r.status().as_u16(), 403);
    let r = app
        .client
        .post(app.url("/api/v1/dossiers"))
        .json(&valid_body())
        .send()
        .await
        .expect("POST");
    assert_eq!(r.status().as_u16(), 401);
    // Officers read dossiers.
    let (status, _) = get_json(&app, &officer, "/api/v1/dossiers").await;
    assert_eq!(status, 200);
}

/// Fires `n` receptions at once, spread over `apps`, and checks the codes
/// and register lines are exactly 1..=n.
async fn concurrent_receptions(apps: &[TestApp], token: &str, n: usize) {
    let mut tasks = Vec::new();
    for i in 0..n {
        let app = &apps[i % apps.len()];
        let client = app.client.clone();
        let url = app.url("/api/v1/dossiers");
        let token = token.to_string();
        tasks.push(tokio::spawn(async move {
            let r = client
                .post(url)
                .bearer_auth(token)
                .json(&valid_body())
                .send()
                .await
                .expect("POST");
            let status = r.status().as_u16();
            let body: Value = r.json().await.expect("json");
            assert_eq!(status, 201, "{body}");
            (
                body["code"].as_str().expect("code").to_string(),
                body["register"].as_str().expect("register").to_string(),
            )
        }));
    }
    let mut codes = BTreeSet::new();
    let mut lines = BTreeSet::new();
    for t in tasks {
        let (code, line) = t.await.expect("task");
        codes.insert(code);
        lines.insert(
            line.split('/')
                .next()
                .expect("line")
                .parse::<usize>()
                .expect("number"),
        );
    }
    let prefix = today_code_prefix();
    let expected: BTreeSet<String> = (1..=n).map(|i| format!("{prefix}{i:04}")).collect();
    assert_eq!(codes, expected, "codes are gapless and unique");
    assert_eq!(
        lines,
        (1..=n).collect::<BTreeSet<_>>(),
        "register lines too"
    );
}

#[tokio::test]
async fn codes_stay_gapless_under_concurrent_receptions_sqlite() {
    let app = crate::helpers::spawn_app(Backend::Sqlite)
        .await
        .expect("sqlite");
    let token = reception_token(&app, "tiepnhan").await;
    concurrent_receptions(&[app], &token, 40).await;
}

#[tokio::test]
async fn codes_stay_gapless_with_two_instances_on_postgres() {
    let Some(app) = crate::helpers::spawn_app(Backend::Postgres).await else {
        return;
    };
    let second = start(test_config(&app.database_url));
    let token = reception_token(&app, "tiepnhan").await;
    concurrent_receptions(&[app, second], &token, 60).await;
}
