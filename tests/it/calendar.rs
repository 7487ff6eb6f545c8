//! The calendar API and its administration.

use crate::helpers::{start, test_config, TestApp};
use crate::on_both_backends;

on_both_backends!(
    holidays_api_lists_official_schedules_and_rule_years,
    due_date_api_follows_the_contract,
    calendar_corrections_apply_on_every_instance,
);

async fn json(app: &TestApp, path: &str) -> (u16, serde_json::Value) {
    let r = app.get(path).await;
    let status = r.status().as_u16();
    (status, r.json().await.expect("json"))
}

async fn holidays_api_lists_official_schedules_and_rule_years(app: TestApp) {
    // 2026: Thông báo 9441/TB-BNV and Công văn 12729/VPCP-KGVX.
    let (status, v) = json(&app, "/api/v1/calendar/holidays?year=2026").await;
    assert_eq!(status, 200);
    assert_eq!(v["year"], 2026);
    let days = v["days"].as_array().expect("days");
    let has = |date: &str, kind: &str| days.iter().any(|d| d["date"] == date && d["kind"] == kind);
    assert!(has("2026-02-16", "holiday"));
    assert!(has("2026-02-20", "holiday"));
    assert!(has("2026-01-02", "holiday"));
    assert!(
        has("2026-01-10", "workday"),
        "Saturday 10/01 worked in exchange"
    );
    assert!(has("2026-08-22", "workday"));
    assert!(
        has("2026-04-26", "holiday"),
        "Giỗ Tổ listed although a Sunday"
    );
    assert!(has("2026-04-27", "holiday"));
    assert!(days
        .iter()
        .any(|d| d["date"] == "2026-02-16" && d["name"] == "Tết Nguyên đán"));
    assert!(v["source"]
        .as_str()
        .expect("source")
        .contains("9441/TB-BNV"));

    // 2024: the swapped 29/04 and the worked Saturday 04/05 (Công văn 2450/VPCP-KGVX).
    let (_, v) = json(&app, "/api/v1/calendar/holidays?year=2024").await;
    let days = v["days"].as_array().expect("days");
    assert!(days
        .iter()
        .any(|d| d["date"] == "2024-04-29" && d["kind"] == "holiday"));
    assert!(days
        .iter()
        .any(|d| d["date"] == "2024-05-04" && d["kind"] == "workday"));

    // 2028 has no published schedule yet: the Labour Code's rule.
    let (_, v) = json(&app, "/api/v1/calendar/holidays?year=2028").await;
    assert!(v["source"].is_null());
    let days = v["days"].as_array().expect("days");
    for date in [
        "2028-01-01",
        "2028-01-24",
        "2028-01-28",
        "2028-09-02",
        "2028-11-24",
    ] {
        assert!(days.iter().any(|d| d["date"] == date), "{date}");
    }

    for bad in ["abc", "1800", "3000"] {
        let (status, v) = json(&app, &format!("/api/v1/calendar/holidays?year={bad}")).await;
        assert_eq!(status, 422, "{bad}");
        assert!(v["fields"]["year"].is_string());
    }
}

async fn due_date_api_follows_the_contract(app: TestApp) {
    let (status, v) = json(
        &app,
        "/api/v1/calendar/due-date?received_at=2026-02-10T09:30:00%2B07:00&working_days=5",
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(v["received_at"], "2026-02-10T09:30:00+07:00");
    assert_eq!(v["working_days"], 5);
    assert_eq!(v["effective_receiving_day"], "2026-02-10");
    assert_eq!(v["due_date"], "2026-02-24");
    assert_eq!(v["counted"].as_array().expect("counted").len(), 5);
    let skipped = v["skipped"].as_array().expect("skipped");
    assert!(skipped
        .iter()
        .any(|s| s["date"] == "2026-02-17" && s["reason"] == "Tết Nguyên đán"));

    // UTC input, answered in +07:00; after 17:00 local counts from the next working day.
    let (_, v) = json(
        &app,
        "/api/v1/calendar/due-date?received_at=2026-04-29T10:00:00Z&working_days=1",
    )
    .await;
    assert_eq!(v["received_at"], "2026-04-29T17:00:00+07:00");
    assert_eq!(v["effective_receiving_day"], "2026-05-04");
    assert_eq!(v["due_date"], "2026-05-05");

    // No offset means Asia/Ho_Chi_Minh; n = 0 is within the day.
    let (_, v) = json(
        &app,
        "/api/v1/calendar/due-date?received_at=2026-11-25T08:00:00&working_days=0",
    )
    .await;
    assert_eq!(v["due_date"], "2026-11-25");
    assert_eq!(v["counted"].as_array().expect("counted").len(), 0);

    // Saturday 10/01/2026 was a working day.
    let (_, v) = json(
        &app,
        "/api/v1/calendar/due-date?received_at=2026-01-09T08:00:00%2B07:00&working_days=1",
    )
    .await;
    assert_eq!(v["due_date"], "2026-01-10");

    for query in [
        "received_at=2026-02-10T09:30:00%2B07:00&working_days=-1",
        "received_at=2026-02-10T09:30:00%2B07:00&working_days=366",
        "received_at=2026-02-10T09:30:00%2B07:00&working_days=abc",
        "received_at=hom-nay&working_days=5",
        "working_days=5",
        // Far outside the calendar: refused, never a crash.
        "received_at=%2B262142-12-31T10:00:00&working_days=1",
        "received_at=1800-01-01T10:00:00&working_days=1",
    ] {
        let (status, v) = json(&app, &format!("/api/v1/calendar/due-date?{query}")).await;
        assert_eq!(status, 422, "{query}");
        assert_eq!(v["error"], "validation");
        assert!(v["message"].is_string());
    }
}

async fn calendar_corrections_apply_on_every_instance(app: TestApp) {
    let other = start(test_config(&app.database_url));
    let due = |body: serde_json::Value| body["due_date"].as_str().unwrap_or_default().to_string();
    let q = "/api/v1/calendar/due-date?received_at=2026-12-29T09:00:00%2B07:00&working_days=2";
    let (_, before) = json(&other, q).await;
    assert_eq!(due(before), "2026-12-31");

    app.login_admin().await;
    let (status, page) = app.get_text("/admin/calendar?year=2026").await;
    assert_eq!(status, 200);
    assert!(page.contains("Lịch nghỉ lễ năm 2026"));
    assert!(page.contains("9441/TB-BNV"));
    assert!(page.contains("Tết Nguyên đán"));

    // Invalid input comes back with messages and what was typed.
    let r = app
        .post_form(
            "/admin/calendar/days",
            "/admin/calendar",
            &[("date", "31/02/2026"), ("kind", "holiday"), ("name", "")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let body = r.text().await.expect("body");
    assert!(body.contains("Nhập ngày theo dạng ngày/tháng/năm"));
    assert!(body.contains("value=\"31/02/2026\""));

    let r = app
        .post_form(
            "/admin/calendar/days",
            "/admin/calendar",
            &[
                ("date", "30/12/2026"),
                ("kind", "holiday"),
                ("name", "Ngày nghỉ thêm"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    // The other instance sees it at once.
    let (_, after) = json(&other, q).await;
    assert_eq!(due(after.clone()), "2027-01-04", "{after}");
    assert!(after["skipped"]
        .as_array()
        .expect("skipped")
        .iter()
        .any(|s| s["reason"] == "Ngày nghỉ thêm"));

    let r = app
        .post_form(
            "/admin/calendar/days/delete",
            "/admin/calendar",
            &[("date", "2026-12-30")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, again) = json(&other, q).await;
    assert_eq!(due(again), "2026-12-31");

    // Adopting 2029 keeps its rule days and records the source.
    let r = app
        .post_form(
            "/admin/calendar/years",
            "/admin/calendar",
            &[("year", "2029"), ("source", "Thông báo thử 1/TB-BNV")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, v) = json(&other, "/api/v1/calendar/holidays?year=2029").await;
    assert_eq!(v["source"], "Thông báo thử 1/TB-BNV");
    assert!(v["days"]
        .as_array()
        .expect("days")
        .iter()
        .any(|d| d["date"] == "2029-02-12"));

    // Working week settings are validated.
    let r = app
        .post_form(
            "/admin/calendar/settings",
            "/admin/calendar",
            &[("opens", "17:00"), ("closes", "07:30"), ("work_week", "1")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(r
        .text()
        .await
        .expect("body")
        .contains("Giờ kết thúc làm việc phải sau giờ bắt đầu."));

    let (_, audit) = app.get_text("/admin/audit").await;
    assert!(audit.contains("Sửa ngày nghỉ, ngày làm bù"));
    assert!(audit.contains("Xóa ngày nghỉ, ngày làm bù"));
    assert!(audit.contains("Áp dụng lịch năm"));
}
