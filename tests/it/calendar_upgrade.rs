//! Issue 10: Ngày Văn hóa Việt Nam, Tết by the government's rule, the 2027
//! schedule, and official schedules reaching installations made before them.

use serde_json::Value;

use crate::helpers::{revert_last_migration, run_sql, start, test_config, TestApp};
use crate::on_both_backends;
use crate::processing::{dossier, new_dossier, team};

on_both_backends!(
    due_dates_count_culture_day_and_tet_2027,
    a_newer_official_schedule_reaches_an_existing_installation,
    an_edited_year_is_offered_the_official_schedule,
    the_upgrade_tells_edited_years_from_untouched_ones,
);

async fn due(app: &TestApp, received_at: &str, n: u32) -> Value {
    let r = app
        .get(&format!(
            "/api/v1/calendar/due-date?received_at={}&working_days={n}",
            received_at.replace('+', "%2B")
        ))
        .await;
    assert_eq!(r.status().as_u16(), 200);
    r.json().await.expect("json")
}

async fn due_dates_count_culture_day_and_tet_2027(app: TestApp) {
    // 1. Tuesday 24/11/2026 was off: two working days from Monday 23/11 end on 26/11.
    let v = due(&app, "2026-11-23T10:00:00+07:00", 2).await;
    assert_eq!(v["due_date"], "2026-11-26", "{v}");
    assert!(v["skipped"]
        .as_array()
        .expect("skipped")
        .iter()
        .any(|s| s["date"] == "2026-11-24" && s["reason"] == "Ngày Văn hóa Việt Nam"));

    // 2. Tết 2027 (official schedule): a one-day procedure received 03/02 is due 11/02.
    let v = due(&app, "2027-02-03T10:00:00+07:00", 1).await;
    assert_eq!(v["due_date"], "2027-02-11", "{v}");
    let (status, h) = app.get_text("/api/v1/calendar/holidays?year=2027").await;
    assert_eq!(status, 200);
    let h: Value = serde_json::from_str(&h).expect("json");
    assert!(h["source"]
        .as_str()
        .expect("2027 on record")
        .contains("02/10/2026"));
    let days = h["days"].as_array().expect("days");
    for date in ["2027-02-04", "2027-02-10", "2027-09-03", "2027-11-24"] {
        assert!(
            days.iter()
                .any(|d| d["date"] == date && d["kind"] == "holiday"),
            "{date}"
        );
    }

    // 2028 by rule: Tết Monday 24/01 to Friday 28/01, back on Monday 31/01.
    let v = due(&app, "2028-01-21T10:00:00+07:00", 1).await;
    assert_eq!(v["due_date"], "2028-01-31", "{v}");
    let v = due(&app, "2028-11-23T10:00:00+07:00", 1).await;
    assert_eq!(v["due_date"], "2028-11-27", "Friday 24/11/2028 off: {v}");
}

/// The database as a version without 24/11 left it: 2026 at revision 1, untouched.
fn as_before_culture_day(url: &str) {
    run_sql(
        url,
        &[
            "DELETE FROM calendar_days WHERE day = '2026-11-24'",
            "UPDATE calendar_years SET revision = 1, edited = FALSE WHERE year = 2026",
            "UPDATE settings SET value = 'old-calendar' WHERE key = 'calendar.version'",
        ],
    );
}

fn code(d: &Value) -> String {
    d["code"].as_str().expect("code").to_string()
}

async fn a_newer_official_schedule_reaches_an_existing_installation(app: TestApp) {
    as_before_culture_day(&app.database_url);
    let t = team(&app).await;
    // Five working days from Monday 23/11/2026 by the old schedule: 24..27/11 and 30/11.
    let mut body = crate::dossiers_api::valid_body();
    body["received_at"] = "2026-11-23T10:00:00+07:00".into();
    let a = new_dossier(&app, &t, body.clone()).await;
    assert_eq!(a["due_date"], "2026-11-30", "{a}");
    // One whose printed date was already later (04/12) keeps it.
    let b = new_dossier(&app, &t, body.clone()).await;
    let b_code = code(&b);
    run_sql(
        &app.database_url,
        &[
            &format!("UPDATE dossiers SET due_date = '2026-12-04' WHERE code = '{b_code}'"),
            &format!(
                "UPDATE dossier_deadlines SET due_date = '2026-12-04' WHERE dossier_id = \
                 (SELECT id FROM dossiers WHERE code = '{b_code}')"
            ),
        ],
    );
    // Received after 24/11: unaffected.
    body["received_at"] = "2026-11-25T10:00:00+07:00".into();
    let c = new_dossier(&app, &t, body).await;
    let c_due = c["due_date"].clone();

    // The next start (another instance, as after an upgrade) brings revision 2.
    let upgraded = start(test_config(&app.database_url));
    let (_, h) = upgraded
        .get_text("/api/v1/calendar/holidays?year=2026")
        .await;
    let h: Value = serde_json::from_str(&h).expect("json");
    assert!(h["days"]
        .as_array()
        .expect("days")
        .iter()
        .any(|d| d["date"] == "2026-11-24" && d["kind"] == "holiday"));

    let a_now = dossier(&upgraded, &t.leader, &code(&a)).await;
    assert_eq!(
        a_now["due_date"], "2026-12-01",
        "one working day later: {a_now}"
    );
    let history = a_now["history"].as_array().expect("history");
    let line = history
        .iter()
        .find(|e| e["action"] == "recompute")
        .expect("a history line for the move");
    assert!(
        line["note"].as_str().expect("note").contains("01/12/2026"),
        "{line}"
    );
    assert_eq!(
        dossier(&upgraded, &t.leader, &b_code).await["due_date"],
        "2026-12-04"
    );
    assert_eq!(
        dossier(&upgraded, &t.leader, &code(&c)).await["due_date"],
        c_due
    );

    // The citizen's status page shows the new date.
    let lookup = a_now["lookup_url"].as_str().expect("lookup url");
    let path = &lookup[lookup.find("/tra-cuu/").expect("path")..];
    let (status, page) = upgraded.get_text(path).await;
    assert_eq!(status, 200);
    assert!(page.contains("01/12/2026"), "{page}");

    // The leader sees whom to call.
    let leader = upgraded.other_browser();
    assert_eq!(
        leader
            .login("lanhdao", "xu-ly-ho-so-2026")
            .await
            .status()
            .as_u16(),
        303
    );
    let (_, queue) = leader.get_text("/phan-cong").await;
    let from = queue
        .find("Hạn trả kết quả đã thay đổi do lịch nghỉ lễ")
        .expect("the list of moved dates");
    let moved = &queue[from..from + queue[from..].find("</section>").expect("end")];
    assert!(moved.contains(&code(&a)), "{moved}");
    assert!(moved.contains("30/11/2026") && moved.contains("01/12/2026"));
    assert!(moved.contains("0912 345 678") || moved.contains("0912345678"));
    assert!(!moved.contains(&b_code), "B did not move");

    // Audited; a third start changes nothing more.
    upgraded.login_admin().await;
    let (_, audit) = upgraded.get_text("/admin/audit").await;
    assert!(audit.contains("Cập nhật lịch chính thức"), "audited");
    assert!(audit.contains("Thêm 24/11/2026"));
    let again = start(test_config(&app.database_url));
    assert_eq!(
        dossier(&again, &t.leader, &code(&a)).await["due_date"],
        "2026-12-01"
    );
}

async fn an_edited_year_is_offered_the_official_schedule(app: TestApp) {
    as_before_culture_day(&app.database_url);
    let t = team(&app).await;
    // The administrator corrects 2026 (its source) before the upgrade arrives.
    let r = app
        .post_form(
            "/admin/calendar/years/source",
            "/admin/calendar?year=2026",
            &[
                ("year", "2026"),
                ("source", "Thông báo 9441/TB-BNV (đã kiểm tra)"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let mut body = crate::dossiers_api::valid_body();
    body["received_at"] = "2026-11-23T10:00:00+07:00".into();
    let a = new_dossier(&app, &t, body).await;
    assert_eq!(a["due_date"], "2026-11-30");

    let upgraded = start(test_config(&app.database_url));
    assert_eq!(
        dossier(&upgraded, &t.leader, &code(&a)).await["due_date"],
        "2026-11-30",
        "an edited year is not overwritten"
    );
    upgraded.login_admin().await;
    let (_, page) = upgraded.get_text("/admin/calendar?year=2026").await;
    assert!(
        page.contains("Đã có lịch chính thức mới hơn cho năm 2026"),
        "{page}"
    );
    assert!(page.contains("Thêm 24/11/2026 (Thứ Ba): Ngày nghỉ – Ngày Văn hóa Việt Nam"));
    let r = upgraded
        .post_form(
            "/admin/calendar/years/official",
            "/admin/calendar?year=2026",
            &[("year", "2026")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(
        dossier(&upgraded, &t.leader, &code(&a)).await["due_date"],
        "2026-12-01"
    );
    let (_, page) = upgraded.get_text("/admin/calendar?year=2026").await;
    assert!(!page.contains("Đã có lịch chính thức mới hơn"));
    assert!(page.contains("Ngày Văn hóa Việt Nam"));
    // Nothing left to adopt: a clear message, no error page.
    let r = upgraded
        .post_form(
            "/admin/calendar/years/official",
            "/admin/calendar?year=2026",
            &[("year", "2026")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
}

async fn the_upgrade_tells_edited_years_from_untouched_ones(app: TestApp) {
    let url = app.database_url.clone();
    // The database as the previous release left it: 2026 without 24/11, no
    // 2027; an administrator removed the swapped 02/05/2025 and retitled 2024.
    // (The reports' and the citizens' migrations came after the calendar
    // revisions, then online filing and security: all five go.)
    revert_last_migration(&url);
    revert_last_migration(&url);
    revert_last_migration(&url);
    revert_last_migration(&url);
    revert_last_migration(&url);
    run_sql(
        &url,
        &[
            "DELETE FROM calendar_days WHERE day = '2026-11-24'",
            "DELETE FROM calendar_days WHERE day BETWEEN '2027-01-01' AND '2027-12-31'",
            "DELETE FROM calendar_years WHERE year = 2027",
            "DELETE FROM calendar_days WHERE day = '2025-05-02'",
            "INSERT INTO audit_events (at, actor, action, subject, detail) VALUES \
             ('2026-03-01 08:00:00', 'admin', 'calendar.delete_day', '02/05/2025', 'Bỏ')",
            "UPDATE calendar_years SET source = 'Thông báo 5015/TB-LĐTBXH (bản sửa)', \
             updated_by = 'admin' WHERE year = 2024",
            "INSERT INTO audit_events (at, actor, action, subject, detail) VALUES \
             ('2026-03-01 08:00:00', 'admin', 'calendar.year_source', '2024', 'x')",
            "UPDATE settings SET value = 'old-calendar' WHERE key = 'calendar.version'",
        ],
    );
    let upgraded = start(test_config(&url));
    let days = |v: &Value| -> Vec<String> {
        v["days"]
            .as_array()
            .expect("days")
            .iter()
            .map(|d| d["date"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    let get = |year: i32| {
        let upgraded = &upgraded;
        async move {
            let (_, body) = upgraded
                .get_text(&format!("/api/v1/calendar/holidays?year={year}"))
                .await;
            serde_json::from_str::<Value>(&body).expect("json")
        }
    };
    // 2026 untouched: replaced by revision 2; 2027 added.
    assert!(days(&get(2026).await).contains(&"2026-11-24".to_string()));
    let y2027 = get(2027).await;
    assert!(y2027["source"]
        .as_str()
        .expect("2027 on record")
        .contains("02/10/2026"));
    // 2025 edited: the administrator's removal stands.
    assert!(!days(&get(2025).await).contains(&"2025-05-02".to_string()));
    // No offer where the revision did not change.
    upgraded.login_admin().await;
    for year in [2024, 2025] {
        let (_, page) = upgraded
            .get_text(&format!("/admin/calendar?year={year}"))
            .await;
        assert!(!page.contains("Đã có lịch chính thức mới hơn"), "{year}");
    }
    let (_, audit) = upgraded.get_text("/admin/audit").await;
    assert!(audit.contains("Thêm lịch chính thức"));
    assert!(audit.contains("Cập nhật lịch chính thức"));
}
