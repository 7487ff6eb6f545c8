//! The JSON API: tokens, errors, OpenAPI.

use crate::helpers::{TestApp, ADMIN_PASSWORD};
use crate::on_both_backends;

on_both_backends!(
    tokens_are_issued_and_checked_on_every_call,
    token_errors_follow_the_contract,
);

async fn tokens_are_issued_and_checked_on_every_call(app: TestApp) {
    let r = app.api_token("admin", ADMIN_PASSWORD).await;
    assert_eq!(r.status().as_u16(), 201);
    let body: serde_json::Value = r.json().await.expect("json");
    let token = body["token"].as_str().expect("token").to_string();
    assert!(token.len() >= 40);
    let expires = body["expires_at"].as_str().expect("expires_at");
    assert!(expires.ends_with("+07:00"), "{expires}");
    chrono::DateTime::parse_from_rfc3339(expires).expect("RFC 3339");

    let me = app
        .client
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("GET");
    assert_eq!(me.status().as_u16(), 200);
    let me: serde_json::Value = me.json().await.expect("json");
    assert_eq!(me["username"], "admin");
    assert_eq!(me["role"], "admin");

    // A token of a user who is then deactivated is refused at once.
    app.login_admin().await;
    app.create_user("congthongtin", "reception", "cong-thong-tin-1")
        .await;
    let r = app.api_token("congthongtin", "cong-thong-tin-1").await;
    let t2 = r.json::<serde_json::Value>().await.expect("json")["token"]
        .as_str()
        .expect("token")
        .to_string();
    let ok = app
        .client
        .get(app.url("/api/v1/me"))
        .bearer_auth(&t2)
        .send()
        .await
        .expect("GET");
    assert_eq!(ok.status().as_u16(), 200);
    let (_, list) = app.get_text("/admin/users?q=congthongtin").await;
    let id = &crate::helpers::link_id(&list, "congthongtin", "/admin/users/");
    let r = app
        .post_form(
            &format!("/admin/users/{id}"),
            &format!("/admin/users/{id}"),
            &[
                ("full_name", "Cổng thông tin"),
                ("role", "reception"),
                ("office", motcua::services::seed::DEFAULT_OFFICE_CODE),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let refused = app
        .client
        .get(app.url("/api/v1/me"))
        .bearer_auth(&t2)
        .send()
        .await
        .expect("GET");
    assert_eq!(refused.status().as_u16(), 401);
    let err: serde_json::Value = refused.json().await.expect("json");
    assert_eq!(err["error"], "unauthorized");
}

async fn token_errors_follow_the_contract(app: TestApp) {
    let wrong = app.api_token("admin", "sai-mat-khau-9").await;
    assert_eq!(wrong.status().as_u16(), 401);
    let wrong: serde_json::Value = wrong.json().await.expect("json");
    let unknown = app.api_token("khong-co", "sai-mat-khau-9").await;
    assert_eq!(unknown.status().as_u16(), 401);
    let unknown: serde_json::Value = unknown.json().await.expect("json");
    assert_eq!(
        wrong["message"], unknown["message"],
        "same message for both"
    );
    assert_eq!(wrong["message"], "Tên đăng nhập hoặc mật khẩu không đúng.");

    let r = app
        .client
        .post(app.url("/api/v1/tokens"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("POST");
    assert_eq!(r.status().as_u16(), 400);
    let e: serde_json::Value = r.json().await.expect("json");
    assert_eq!(e["error"], "bad_request");
    assert!(e["message"].as_str().expect("message").contains("JSON"));

    let r = app
        .client
        .post(app.url("/api/v1/tokens"))
        .json(&serde_json::json!({"username": ""}))
        .send()
        .await
        .expect("POST");
    assert_eq!(r.status().as_u16(), 422);
    let e: serde_json::Value = r.json().await.expect("json");
    assert_eq!(e["fields"]["username"], "Nhập tên đăng nhập.");
    assert_eq!(e["fields"]["password"], "Nhập mật khẩu.");

    let r = app
        .client
        .post(app.url("/api/v1/tokens"))
        .header("content-type", "application/json")
        .body(format!(
            "{{\"username\": \"{}\", \"password\": \"x\"}}",
            "a".repeat(1_100_000)
        ))
        .send()
        .await
        .expect("POST");
    assert_eq!(r.status().as_u16(), 413);

    let r = app
        .client
        .get(app.url("/api/v1/me"))
        .send()
        .await
        .expect("GET");
    assert_eq!(r.status().as_u16(), 401);
    let r = app
        .client
        .get(app.url("/api/v1/me"))
        .bearer_auth("khong-hop-le")
        .send()
        .await
        .expect("GET");
    assert_eq!(r.status().as_u16(), 401);

    let r = app
        .client
        .get(app.url("/api/v1/khong-co"))
        .send()
        .await
        .expect("GET");
    assert_eq!(r.status().as_u16(), 404);
    let e: serde_json::Value = r.json().await.expect("json");
    assert_eq!(e["error"], "not_found");

    let r = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .expect("GET");
    assert_eq!(r.status().as_u16(), 200);
    let spec: serde_json::Value = r.json().await.expect("json");
    assert_eq!(spec["openapi"], "3.1.0");
    // Generated from the request types: unknown fields are refused, as stated.
    assert_eq!(
        spec["components"]["schemas"]["TokenRequest"]["additionalProperties"],
        false
    );
    let r = app
        .client
        .post(app.url("/api/v1/tokens"))
        .json(&serde_json::json!({"username": "a", "password": "b", "passwd": "c"}))
        .send()
        .await
        .expect("POST");
    assert_eq!(r.status().as_u16(), 400);
    assert!(spec["paths"]["/tokens"]["post"].is_object());
    assert!(spec["paths"]["/dossiers"]["post"].is_object());
    assert!(spec["paths"]["/dossiers"]["get"].is_object());
    assert!(spec["paths"]["/dossiers/{code}"]["get"].is_object());
    assert!(spec["paths"]["/dossiers/{code}/actions"]["post"].is_object());
    assert_eq!(spec["servers"][0]["url"], "http://127.0.0.1:8080/api/v1");
}
