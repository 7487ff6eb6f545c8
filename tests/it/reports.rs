//! Reports for supervisors and leaders: the period report's numbers against a
//! hand count over a generated province, consecutive periods chaining, the
//! overdue list's order and working days across Tết, and who sees what.

use std::process::{Command, Stdio};

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use diesel::{Connection, QueryableByName, RunQueryDsl};
use serde_json::{json, Value};

use crate::dossiers_api::{post_dossier, reception_token, token_of, valid_body};
use crate::helpers::{fresh_database, start, test_config, Backend, TestApp};

/// Each test on SQLite, and on PostgreSQL when it is configured.
macro_rules! on_both {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[tokio::test]
                async fn sqlite() {
                    super::$name(crate::helpers::Backend::Sqlite).await;
                }

                #[tokio::test]
                async fn postgres() {
                    super::$name(crate::helpers::Backend::Postgres).await;
                }
            }
        )+
    };
}

on_both!(
    period_reports_add_up_on_a_generated_province,
    overdue_list_counts_working_days_across_tet,
    supervisors_see_their_offices_and_change_nothing,
);

pub const DEMO_PASSWORD: &str = "mau-demo-2026";

/// A database filled by `motcua generate`, and the app on it.
pub fn generated(backend: Backend, dossiers: &str) -> Option<TestApp> {
    let url = fresh_database(backend)?;
    let out = Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args([
            "generate",
            "--dossiers",
            dossiers,
            "--years",
            "2",
            "--offices",
            "2",
        ])
        .env("DATABASE_URL", &url)
        .env("MOTCUA_ADMIN_PASSWORD", crate::helpers::ADMIN_PASSWORD)
        .env("MOTCUA_DEMO_PASSWORD", DEMO_PASSWORD)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .expect("run motcua generate");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains(&format!("Đã tạo {dossiers} hồ sơ")),
        "{stdout}"
    );
    Some(start(test_config(&url)))
}

/// A dossier as the hand count reads it, straight from the table.
#[derive(QueryableByName, Debug)]
struct Raw {
    #[diesel(sql_type = diesel::sql_types::Timestamp)]
    received_at: NaiveDateTime,
    #[diesel(sql_type = diesel::sql_types::Text)]
    channel: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamp>)]
    decided_at: Option<NaiveDateTime>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamp>)]
    withdrawn_at: Option<NaiveDateTime>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Date>)]
    due_date: Option<NaiveDate>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    outcome: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    extended: bool,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    supplement_requests: i32,
}

fn raw_dossiers(url: &str) -> Vec<Raw> {
    let sql = "SELECT received_at, channel, decided_at, withdrawn_at, due_date, outcome, \
               extended, supplement_requests FROM dossiers WHERE voided = false";
    if url.starts_with("postgres") {
        let mut c = diesel::PgConnection::establish(url).expect("connect");
        diesel::sql_query(sql).load(&mut c).expect("load")
    } else {
        let mut c = diesel::SqliteConnection::establish(url).expect("connect");
        diesel::sql_query(sql).load(&mut c).expect("load")
    }
}

/// The period report counted by hand from DOMAIN.md's definitions, as the
/// JSON the API gives.
fn by_hand(rows: &[Raw], from: NaiveDate, to: NaiveDate, today: NaiveDate) -> Value {
    // Local midnight is 17:00 UTC the day before.
    let start = from.and_hms_opt(0, 0, 0).unwrap() - Duration::hours(7);
    let end = (to + Duration::days(1)).and_hms_opt(0, 0, 0).unwrap() - Duration::hours(7);
    let local_day = |t: NaiveDateTime| (t + Duration::hours(7)).date();
    let as_of = to.min(today);
    let (mut carried, mut online, mut counter, mut postal) = (0, 0, 0, 0);
    let (mut early, mut on_time, mut late, mut refused, mut withdrawn) = (0, 0, 0, 0, 0);
    let (mut open_ok, mut open_late) = (0, 0);
    for r in rows {
        let closed_before = |t: Option<NaiveDateTime>, at: NaiveDateTime| t.is_some_and(|t| t < at);
        if r.received_at >= end
            || closed_before(r.decided_at, start)
            || closed_before(r.withdrawn_at, start)
        {
            continue;
        }
        if r.received_at < start {
            carried += 1;
        } else {
            match r.channel.as_str() {
                "online" => online += 1,
                "counter" => counter += 1,
                _ => postal += 1,
            }
        }
        if let Some(at) = r.decided_at.filter(|t| *t < end) {
            let due = r.due_date.expect("decided with a due date");
            let day = local_day(at);
            if r.extended || r.supplement_requests > 1 || day > due {
                late += 1;
            } else if day == due {
                on_time += 1;
            } else {
                early += 1;
            }
            if r.outcome.as_deref() == Some("refused") {
                refused += 1;
            }
        } else if r.withdrawn_at.is_some_and(|t| t < end) {
            withdrawn += 1;
        } else if r.due_date.is_some_and(|d| d < as_of) {
            open_late += 1;
        } else {
            open_ok += 1;
        }
    }
    let resolved = early + on_time + late;
    json!({
        "received": {"carried_over": carried, "online": online, "counter": counter,
                     "postal": postal, "total": carried + online + counter + postal},
        "resolved": {"early": early, "on_time": on_time, "late": late,
                     "total": resolved, "refused": refused},
        "withdrawn": withdrawn,
        "in_progress": {"on_time": open_ok, "overdue": open_late, "total": open_ok + open_late},
        "on_time_rate": if resolved == 0 { Value::Null } else {
            json!((early + on_time) as f64 / resolved as f64)
        },
    })
}

async fn get(app: &TestApp, token: &str, path: &str) -> (u16, Value) {
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

async fn period_reports_add_up_on_a_generated_province(backend: Backend) {
    let Some(app) = generated(backend, "3000") else {
        return;
    };
    let token = token_of(&app, "giamsat", DEMO_PASSWORD).await;
    let rows = raw_dossiers(&app.database_url);
    assert_eq!(rows.len(), 3000);
    let today = (chrono::Utc::now() + Duration::hours(7)).date_naive();
    // Twelve consecutive months, then a whole year.
    let mut months = Vec::new();
    let mut from = NaiveDate::from_ymd_opt(today.year() - 1, today.month(), 1).unwrap();
    for _ in 0..12 {
        let next = if from.month() == 12 {
            NaiveDate::from_ymd_opt(from.year() + 1, 1, 1).unwrap()
        } else {
            NaiveDate::from_ymd_opt(from.year(), from.month() + 1, 1).unwrap()
        };
        months.push((from, next - Duration::days(1)));
        from = next;
    }
    let mut previous_in_progress: Option<i64> = None;
    let mut resolved_in_months = 0;
    for (from, to) in &months {
        let (status, got) = get(
            &app,
            &token,
            &format!("/api/v1/reports/period?from={from}&to={to}"),
        )
        .await;
        assert_eq!(status, 200, "{got}");
        let want = by_hand(&rows, *from, *to, today);
        for key in [
            "received",
            "resolved",
            "withdrawn",
            "in_progress",
            "on_time_rate",
        ] {
            assert_eq!(got[key], want[key], "{key} for {from}..{to}");
        }
        // DOMAIN.md: received total = resolved total + withdrawn + in progress total.
        let n = |v: &Value| v.as_i64().expect("a count");
        assert_eq!(
            n(&got["received"]["total"]),
            n(&got["resolved"]["total"]) + n(&got["withdrawn"]) + n(&got["in_progress"]["total"])
        );
        // What one month leaves in progress, the next one carries over.
        if let Some(p) = previous_in_progress {
            assert_eq!(
                n(&got["received"]["carried_over"]),
                p,
                "carried into {from}"
            );
        }
        previous_in_progress = Some(n(&got["in_progress"]["total"]));
        resolved_in_months += n(&got["resolved"]["total"]);
        // The rate by hand from the API's own counts.
        let resolved = n(&got["resolved"]["total"]);
        if resolved > 0 {
            let rate = (n(&got["resolved"]["early"]) + n(&got["resolved"]["on_time"])) as f64
                / resolved as f64;
            assert!((got["on_time_rate"].as_f64().expect("rate") - rate).abs() < 1e-12);
        }
    }
    assert!(
        resolved_in_months > 500,
        "the generated year resolves dossiers"
    );
    // The year is the sum of its months.
    let (first, last) = (months[0].0, months[11].1);
    let (_, year) = get(
        &app,
        &token,
        &format!("/api/v1/reports/period?from={first}&to={last}"),
    )
    .await;
    assert_eq!(year["resolved"]["total"], json!(resolved_in_months));
    assert_eq!(
        year["received"],
        by_hand(&rows, first, last, today)["received"]
    );

    // Days that are not dates are refused with the field named.
    for (q, field) in [
        ("from=2026-13-01&to=2026-12-31", "from"),
        ("from=2026-01-01&to=2026-02-30", "to"),
    ] {
        let (status, body) = get(&app, &token, &format!("/api/v1/reports/period?{q}")).await;
        assert_eq!(status, 422, "{q}");
        assert!(body["fields"][field].is_string(), "{q}: {body}");
    }
    // Two days given the wrong way round count the same period, and says so;
    // a long period is counted whole (the API sets no bound).
    let (status, reversed) = get(
        &app,
        &token,
        &format!("/api/v1/reports/period?from={last}&to={first}"),
    )
    .await;
    assert_eq!(status, 200, "{reversed}");
    assert_eq!(reversed["from"], json!(first.to_string()));
    assert_eq!(reversed["to"], json!(last.to_string()));
    assert_eq!(reversed["resolved"], year["resolved"]);
    let (status, long) = get(
        &app,
        &token,
        &format!("/api/v1/reports/period?from=2010-01-01&to={last}"),
    )
    .await;
    assert_eq!(status, 200, "{long}");
    let n = |v: &Value| v.as_i64().expect("a count");
    assert!(n(&long["resolved"]["total"]) >= resolved_in_months);

    // The page, the print and the Excel file of the same period.
    let page = app.other_browser();
    let r = page.login("giamsat", DEMO_PASSWORD).await;
    assert_eq!(r.status().as_u16(), 303);
    let q = format!(
        "tu_ngay={}&den_ngay={}",
        first.format("%d/%m/%Y"),
        last.format("%d/%m/%Y")
    );
    let (status, html) = page.get_text(&format!("/bao-cao/dinh-ky?{q}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("Tổng cộng"));
    assert!(!html.contains("Số liệu không cân đối"));
    assert!(html.contains(&format!(
        "<td class=\"num\">{}</td>",
        year["received"]["total"]
    )));
    let (status, print) = page.get_text(&format!("/bao-cao/dinh-ky/in?{q}")).await;
    assert_eq!(status, 200);
    assert!(print.contains("Biểu số II.06a/VPCP/KSTT"));
    assert!(print.contains("(19)"));
    let (status, _) = page
        .get_text("/bao-cao/dinh-ky/in?tu_ngay=31/02/2026")
        .await;
    assert_eq!(
        status, 400,
        "a print of a period that is not one is refused"
    );
    let r = page.get(&format!("/bao-cao/dinh-ky/excel?{q}")).await;
    assert_eq!(r.status().as_u16(), 200);
    let bytes = r.bytes().await.expect("xlsx");
    assert_eq!(&bytes[..2], b"PK", "an xlsx (zip) file");
}

/// A dossier of THADS-YCTHA (5 working days) received at `local`.
async fn received_at(app: &TestApp, token: &str, local: &str, id: &str) -> Value {
    let mut body = valid_body();
    body["received_at"] = json!(local);
    body["applicant"]["id_number"] = json!(id);
    let r = post_dossier(app, token, &body, None).await;
    assert_eq!(r.status().as_u16(), 201);
    r.json().await.expect("json")
}

async fn overdue_list_counts_working_days_across_tet(backend: Backend) {
    let Some(url) = fresh_database(backend) else {
        return;
    };
    let app = start(test_config(&url));
    let clerk = reception_token(&app, "tiepnhan1").await;
    // Tết 2026: Monday 16/02 to Friday 20/02 off (Thông báo 9441/TB-BNV).
    // Five working days after each reception day gives these due dates.
    let cases = [
        ("2026-02-10T09:00:00+07:00", "2026-02-24", None), // due today as of 24/02: not overdue
        ("2026-02-09T09:00:00+07:00", "2026-02-23", Some(1)),
        ("2026-02-06T09:00:00+07:00", "2026-02-13", Some(2)),
        ("2026-02-05T09:00:00+07:00", "2026-02-12", Some(3)),
        ("2026-02-03T09:00:00+07:00", "2026-02-10", Some(5)),
    ];
    let mut expected = Vec::new();
    for (i, (at, due, late)) in cases.iter().enumerate() {
        let d = received_at(&app, &clerk, at, &format!("05609000{:04}", i + 1)).await;
        assert_eq!(d["due_date"], json!(due), "due date of a reception at {at}");
        if let Some(n) = late {
            expected.push((d["code"].as_str().expect("code").to_string(), *n));
        }
    }
    // Most overdue first.
    expected.sort_by_key(|e| std::cmp::Reverse(e.1));
    app.create_user("giamsat1", "supervisor", "giam-sat-2026!")
        .await;
    let token = token_of(&app, "giamsat1", "giam-sat-2026!").await;
    let (status, body) = get(&app, &token, "/api/v1/reports/overdue?as_of=2026-02-24").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["as_of"], "2026-02-24");
    let got: Vec<(String, i64)> = body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| {
            (
                i["code"].as_str().expect("code").to_string(),
                i["overdue_working_days"].as_i64().expect("days"),
            )
        })
        .collect();
    assert_eq!(got, expected);
    assert_eq!(body["items"][0]["due_date"], "2026-02-10");
    assert!(body["items"][0]["procedure"].is_string());
    assert!(body["items"][0]["assignee"].is_null());
    // The day before Tết ends, the dossier due 13/02 is 0 working days
    // late yet overdue; on 24/02 the one due that day is not listed.
    let (_, before) = get(&app, &token, "/api/v1/reports/overdue?as_of=2026-02-20").await;
    assert_eq!(before["items"].as_array().expect("items").len(), 3);
    let (status, bad) = get(&app, &token, "/api/v1/reports/overdue?as_of=24/02/2026").await;
    assert_eq!(status, 422);
    assert!(bad["fields"]["as_of"].is_string());

    // The page lists them most late first, with the days and an office column.
    let page = app.other_browser();
    page.login("giamsat1", "giam-sat-2026!").await;
    let (status, html) = page.get_text("/bao-cao/qua-han?loai=overdue").await;
    assert_eq!(status, 200);
    let positions: Vec<usize> = expected
        .iter()
        .map(|(code, _)| html.find(code.as_str()).expect("listed"))
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "most late first");
    assert!(html.contains("quá hạn"));
    assert!(html.contains("Theo cán bộ"));
    // Bad filters come back with a message beside the field, not a 500.
    let (status, html) = page
        .get_text("/bao-cao/qua-han?loai=x&so_ngay=99&don_vi=KHONG-CO&trang_thai=delivered")
        .await;
    assert_eq!(status, 422);
    for field in ["loai", "so_ngay", "don_vi", "trang_thai"] {
        assert!(html.contains(&format!("id=\"{field}-error\"")), "{field}");
    }
    // /ho-so and the register: the overdue filter and the office column.
    let (status, html) = page.get_text("/ho-so?qua_han=1").await;
    assert_eq!(status, 200);
    assert!(html.contains("<th scope=\"col\">Đơn vị</th>"));
    assert!(html.contains("tổng số 5"), "five overdue today");
    let (_, none) = page.get_text("/ho-so?qua_han=1&don_vi=KHONG-CO").await;
    assert!(!none.contains(&expected[0].0));
    let (status, register) = page
        .get_text(
            "/so-theo-doi?tu_ngay=01/02/2026&den_ngay=28/02/2026&qua_han=1&don_vi=000.00.00.H00",
        )
        .await;
    assert_eq!(status, 200);
    assert!(register.contains("<th scope=\"col\">Đơn vị</th>"));
    assert!(expected
        .iter()
        .all(|(code, _)| register.contains(code.as_str())));
    let r = page.get("/bao-cao/qua-han/excel?loai=overdue").await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(&r.bytes().await.expect("xlsx")[..2], b"PK");
}

async fn supervisors_see_their_offices_and_change_nothing(backend: Backend) {
    let Some(app) = generated(backend, "400") else {
        return;
    };
    // A supervisor of one branch office.
    app.login_admin().await;
    let r = app
        .post_form(
            "/admin/users",
            "/admin/users/new",
            &[
                ("username", "giamsat.kv1"),
                ("full_name", "Giám sát khu vực 1"),
                ("role", "supervisor"),
                ("office", "000.00.12.H34"),
                ("password", "giam-sat-kv1-2026"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let branch = token_of(&app, "giamsat.kv1", "giam-sat-kv1-2026").await;
    // An old dossier of the branch, never processed: overdue.
    let clerk = token_of(&app, "tiepnhan.kv1", DEMO_PASSWORD).await;
    let old = received_at(&app, &clerk, "2026-01-05T09:00:00+07:00", "056090009999").await;
    assert!(old["code"]
        .as_str()
        .expect("code")
        .starts_with("000.00.12.H34-"));
    // And one of the main office, so that the whole province has more than
    // the branch whatever the generated data holds on the day the test runs.
    let main_clerk = token_of(&app, "tiepnhan", DEMO_PASSWORD).await;
    received_at(
        &app,
        &main_clerk,
        "2026-01-06T09:00:00+07:00",
        "056090009998",
    )
    .await;
    let root = token_of(&app, "giamsat", DEMO_PASSWORD).await;

    let (_, all) = get(&app, &root, "/api/v1/reports/overdue").await;
    let (_, mine) = get(&app, &branch, "/api/v1/reports/overdue").await;
    let mine_items = mine["items"].as_array().expect("items");
    assert!(!mine_items.is_empty(), "the branch has overdue dossiers");
    // Totals, not page lengths: both lists may fill a page as days pass.
    assert!(
        mine["total"].as_i64().expect("total") < all["total"].as_i64().expect("total"),
        "{} {}",
        mine["total"],
        all["total"]
    );
    assert!(mine_items.iter().all(|i| i["office"] == "000.00.12.H34"));
    // Users are named by their username in the API (API.md).
    assert!(all["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["assignee"].as_str())
        .all(|a| !a.contains(' ') && a.is_ascii()));
    // Another office's report is not his.
    let (status, body) = get(&app, &branch, "/api/v1/reports/period?office=000.00.00.H00").await;
    assert_eq!(status, 404, "{body}");
    assert!(body["fields"]["office"].is_string());
    let (status, _) = get(&app, &root, "/api/v1/reports/period?office=000.00.12.H34").await;
    assert_eq!(status, 200);

    // He reads, he changes nothing.
    let code = mine_items[0]["code"].as_str().expect("code").to_string();
    let r = app
        .client
        .post(app.url(&format!("/api/v1/dossiers/{code}/actions")))
        .bearer_auth(&branch)
        .json(&json!({"action": "extend", "new_due_date": "2099-01-02", "reason": "x"}))
        .send()
        .await
        .expect("POST");
    assert_eq!(r.status().as_u16(), 403);
    let page = app.other_browser();
    page.login("giamsat.kv1", "giam-sat-kv1-2026").await;
    let (status, html) = page.get_text("/bao-cao/qua-han").await;
    assert_eq!(status, 200);
    assert!(
        !html.contains("000.00.00.H00-"),
        "no dossier of the head office"
    );
    let (status, _) = page.get_text("/phan-cong").await;
    assert_eq!(status, 403);
    let (status, _) = page.get_text("/tiep-nhan").await;
    assert_eq!(status, 403);
    // Officers and clerks get no period report; a clerk does get the counter's lists.
    let clerk = token_of(&app, "tiepnhan", DEMO_PASSWORD).await;
    let (status, _) = get(&app, &clerk, "/api/v1/reports/period").await;
    assert_eq!(status, 403);
    let (status, home) = page.get_text("/").await;
    assert_eq!(status, 200);
    assert!(home.contains("Số liệu các đơn vị"));
    // The header search answers anything typed: no query syntax leaks through.
    for q in [
        "\"",
        "*",
        "(",
        "NEAR(a b)",
        "a:b",
        "^x",
        "-",
        "--",
        "\u{301}",
        "nguyen*",
        "\"nguyen\" OR",
        "AND",
        "ab",
        "000.00.12.H34-",
        "'; DROP TABLE dossiers; --",
        "%_\\",
        "Nguyễn Thị",
    ] {
        let csrf = page.csrf("/ho-so").await;
        let r = page
            .client
            .post(page.url("/ho-so"))
            .form(&[("csrf_token", csrf.as_str()), ("q", q)])
            .send()
            .await
            .expect("POST");
        assert!(
            [200, 303].contains(&r.status().as_u16()),
            "search {q:?}: {}",
            r.status()
        );
    }
    // A name finds its dossiers by the start of its words, or by any part.
    let (_, list) = page.get_text("/ho-so").await;
    let found = |html: &str| html.contains("tổng số") && !html.contains("tổng số 0");
    for q in ["Nguyễn", "nguyen", "guyen"] {
        let csrf = page.csrf("/ho-so").await;
        let html = page
            .client
            .post(page.url("/ho-so"))
            .form(&[("csrf_token", csrf.as_str()), ("q", q)])
            .send()
            .await
            .expect("POST")
            .text()
            .await
            .expect("text");
        assert!(
            found(&html) || !list.contains("Nguyễn"),
            "{q} finds dossiers"
        );
    }
    // The leader sees each officer's load beside the picker when assigning.
    let leader = app.other_browser();
    leader.login("lanhdao", DEMO_PASSWORD).await;
    let (status, queue) = leader.get_text("/phan-cong").await;
    assert_eq!(status, 200);
    assert!(
        queue.contains("đang giải quyết, "),
        "load beside each officer"
    );
}
