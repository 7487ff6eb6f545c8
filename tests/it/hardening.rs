//! Issue 11: no typo and no stranger can stop the counter. One test per
//! defect found in the review, on both backends, and a property test posting
//! random text to every form and JSON endpoint that takes text.

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use serde_json::{json, Value};

use crate::dossiers_api::{post_dossier, token_of, valid_body};
use crate::helpers::{run_sql, spawn_with, test_config, Backend, TestApp, ADMIN_PASSWORD};
use crate::on_both_backends;
use crate::processing::{act, dossier, new_dossier, team, Team};

on_both_backends!(
    a_mistyped_year_never_blocks_the_counter,
    wrong_passwords_cost_the_guesser_not_the_staff,
    control_characters_are_refused_at_the_edge,
    long_bulk_assignment_failures_never_overflow_the_cookie,
    errors_never_show_other_offices_data,
    personal_data_stays_out_of_urls_and_caches,
    lists_and_uploads_have_limits,
    random_text_anywhere_never_gives_a_500,
    other_body_types_cannot_slip_control_characters_past,
);

const PASSWORD: &str = "xu-ly-ho-so-2026";

fn code_of(d: &Value) -> String {
    d["code"].as_str().expect("code").to_string()
}

async fn a_mistyped_year_never_blocks_the_counter(app: TestApp) {
    let t = team(&app).await;
    // 1926 for 2026 (and anything before 2000) is refused with its reason.
    for slip in ["1926-12-01T10:00:00+07:00", "1999-12-31T23:59:00+07:00"] {
        let mut body = valid_body();
        body["received_at"] = json!(slip);
        let r = post_dossier(&app, &t.reception, &body, None).await;
        assert_eq!(r.status().as_u16(), 422, "{slip}");
        let e: Value = r.json().await.expect("json");
        assert!(
            e["fields"]["received_at"]
                .as_str()
                .expect("message")
                .contains("01/01/2000"),
            "{e}"
        );
    }
    let mut body = valid_body();
    body["received_at"] = json!("2000-01-01T08:00:00+07:00");
    assert!(code_of(&new_dossier(&app, &t, body).await).ends_with("-000101-0001"));

    // A day whose counter an older version kept under another key, and a code
    // already taken: the next reception gets the next free number, no 500.
    let mut body = valid_body();
    body["received_at"] = json!("2026-11-30T09:00:00+07:00");
    let first = code_of(&new_dossier(&app, &t, body.clone()).await);
    assert!(first.ends_with("-261130-0001"), "{first}");
    run_sql(
        &app.database_url,
        &["DELETE FROM sequences WHERE name LIKE 'code:%'"],
    );
    let second = code_of(&new_dossier(&app, &t, body.clone()).await);
    assert!(second.ends_with("-261130-0002"), "{second}");
    let taken = second.replace("-0002", "-0003");
    run_sql(
        &app.database_url,
        &[&format!(
            "UPDATE dossiers SET code = '{taken}' WHERE code = '{second}'"
        )],
    );
    for expected in ["-261130-0004", "-261130-0005", "-261130-0006"] {
        let r = post_dossier(&app, &t.reception, &body, None).await;
        assert_eq!(r.status().as_u16(), 201);
        let d: Value = r.json().await.expect("json");
        assert!(code_of(&d).ends_with(expected), "{d}");
    }

    // The page says it in Vietnamese next to the field.
    let clerk = crate::reception::staff(&app, "tiepnhan2", "reception").await;
    let mut fields = crate::reception::applicant();
    fields.extend([
        ("doc_0", "on"),
        ("doc_0_count", "1"),
        ("doc_1", "on"),
        ("doc_1_count", "2"),
        ("outcome", "accept"),
        ("received_at", "01/12/1926 10:00"),
    ]);
    let (r, _) = crate::reception::post_reception(&clerk, &fields, None).await;
    assert_eq!(r.status().as_u16(), 422);
    let page = r.text().await.expect("body");
    assert!(page.contains("phải từ 01/01/2000"), "{page}");
    assert!(
        page.contains("01/12/1926 10:00"),
        "what was typed comes back"
    );
}

fn failures_rows(url: &str) -> i64 {
    let mut n = 0;
    let sql = "SELECT COUNT(*) AS n FROM login_failures";
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    use diesel::{Connection, RunQueryDsl};
    if url.starts_with("postgres") {
        let mut c = diesel::PgConnection::establish(url).expect("connect");
        n += diesel::sql_query(sql)
            .get_result::<Count>(&mut c)
            .expect("count")
            .n;
    } else {
        let mut c = diesel::SqliteConnection::establish(url).expect("connect");
        n += diesel::sql_query(sql)
            .get_result::<Count>(&mut c)
            .expect("count")
            .n;
    }
    n
}

async fn wrong_passwords_cost_the_guesser_not_the_staff(app: TestApp) {
    // 25 wrong passwords for made-up usernames from one address (an office
    // behind one NAT, or everyone behind a reverse proxy)...
    for i in 0..25 {
        let r = app.login(&format!("khong-co-{i}"), "sai-mat-khau-1").await;
        assert_eq!(r.status().as_u16(), 401, "attempt {i}");
    }
    // ...never lock out a user who types the right password.
    let staff = app.other_browser();
    assert_eq!(
        staff.login("admin", ADMIN_PASSWORD).await.status().as_u16(),
        303
    );
    // Two rows per made-up name (at this address, anywhere); the success
    // cleared the address's own count.
    assert_eq!(failures_rows(&app.database_url), 50);

    // A username that keeps failing waits (5 free attempts), at most minutes...
    for _ in 0..5 {
        app.login("admin", "sai-mat-khau-1").await;
    }
    assert_eq!(
        app.login("admin", ADMIN_PASSWORD).await.status().as_u16(),
        429
    );
    // ...and its count is forgotten a while after the last failure.
    run_sql(
        &app.database_url,
        &[
            "UPDATE login_failures SET last_failed_at = '2026-01-01 00:00:00', \
           blocked_until = '2026-01-01 00:05:00'",
        ],
    );
    assert_eq!(
        app.login("admin", "sai-mat-khau-1").await.status().as_u16(),
        401
    );
    assert_eq!(
        app.login("admin", ADMIN_PASSWORD).await.status().as_u16(),
        303
    );
    // Old rows do not pile up: the next failure removes those a day old.
    assert!(failures_rows(&app.database_url) <= 2, "old rows pruned");
}

async fn control_characters_are_refused_at_the_edge(app: TestApp) {
    // Public pages and the token endpoint.
    let r = app.get("/thu-tuc/%00").await;
    assert_eq!(r.status().as_u16(), 400);
    assert!(r.text().await.expect("body").contains("ký tự điều khiển"));
    let r = app
        .client
        .post(app.url("/api/v1/tokens"))
        .json(&json!({"username": "admin\u{0}", "password": "x"}))
        .send()
        .await
        .expect("POST");
    assert_eq!(r.status().as_u16(), 422);
    let e: Value = r.json().await.expect("json");
    assert_eq!(e["error"], "validation");
    assert!(e["fields"]["username"].is_string(), "{e}");
    let r = app
        .post_form(
            "/login",
            "/login",
            &[("username", "admin\u{0}"), ("password", "x"), ("next", "/")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 400);

    // Staff pages and the API's filters.
    let t = team(&app).await;
    let (status, body) = app.get_text("/ho-so?q=%00").await;
    assert_eq!(status, 400, "{body}");
    for q in ["q=%00", "office=%00", "procedure=%00", "q=a%C2%85b"] {
        let r = app
            .client
            .get(app.url(&format!("/api/v1/dossiers?{q}")))
            .bearer_auth(&t.leader)
            .send()
            .await
            .expect("GET");
        assert_eq!(r.status().as_u16(), 422, "{q}");
        let e: Value = r.json().await.expect("json");
        assert!(e["message"]
            .as_str()
            .expect("message")
            .contains("ký tự điều khiển"));
    }
    let mut body = valid_body();
    body["applicant"]["full_name"] = json!("Nguyễn\u{0}Văn An");
    let r = post_dossier(&app, &t.reception, &body, None).await;
    assert_eq!(r.status().as_u16(), 422);
    let e: Value = r.json().await.expect("json");
    assert!(e["fields"]["applicant.full_name"].is_string(), "{e}");
    // Line breaks and tabs are text, not control characters.
    let mut body = valid_body();
    body["note"] = json!("Dòng 1\r\nDòng 2\tcột");
    assert_eq!(
        post_dossier(&app, &t.reception, &body, None)
            .await
            .status()
            .as_u16(),
        201
    );
}

async fn long_bulk_assignment_failures_never_overflow_the_cookie(app: TestApp) {
    let t: Team = team(&app).await;
    let d = new_dossier(&app, &t, valid_body()).await;
    let leader = crate::reception::staff(&app, "lanhdao2", "leader").await;
    let picks: Vec<String> = (0..80)
        .map(|i| format!("{}-KHONG-CO-HO-SO-NAY-{i:04}:1", code_of(&d)))
        .collect();
    let mut fields: Vec<(&str, &str)> = vec![("officer", "chuyenvien")];
    fields.extend(picks.iter().map(|p| ("pick", p.as_str())));
    let pick = format!("{}:{}", code_of(&d), d["version"]);
    fields.push(("pick", &pick));
    let r = leader.post_form("/phan-cong", "/phan-cong", &fields).await;
    assert_eq!(r.status().as_u16(), 422);
    let page = r.text().await.expect("body");
    assert!(page.contains("Chưa phân công được 80 hồ sơ"), "{page}");
    assert!(page.contains("đã phân công 1 hồ sơ khác"));
    // The session still works.
    let (status, _) = leader.get_text("/phan-cong").await;
    assert_eq!(status, 200);
    assert_eq!(
        dossier(&app, &t.leader, &code_of(&d)).await["assignee"],
        "chuyenvien"
    );
}

/// A branch office with its own counter, officer and leader (`app` is the admin).
pub async fn branch(app: &TestApp) -> (String, String, String) {
    let r = app
        .post_form(
            "/admin/offices",
            "/admin/offices/new",
            &[
                ("code", "000.00.12.H34"),
                ("name", "Chi cục THADS khu vực 1"),
                ("parent", motcua::services::seed::DEFAULT_OFFICE_CODE),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    for (u, role) in [
        ("tn.kv1", "reception"),
        ("cv.kv1", "officer"),
        ("ld.kv1", "leader"),
    ] {
        let r = app
            .post_form(
                "/admin/users",
                "/admin/users/new",
                &[
                    ("username", u),
                    ("full_name", "Cán bộ Khu vực Một"),
                    ("role", role),
                    ("office", "000.00.12.H34"),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303, "{u}");
    }
    (
        token_of(app, "tn.kv1", PASSWORD).await,
        token_of(app, "cv.kv1", PASSWORD).await,
        token_of(app, "ld.kv1", PASSWORD).await,
    )
}

async fn errors_never_show_other_offices_data(app: TestApp) {
    let t = team(&app).await;
    let mut body = valid_body();
    body["return_method"] = json!("postal");
    body["postal_address"] = json!("45 Lê Thánh Tôn, phường Nha Trang, Khánh Hòa");
    // The province's dossier in transit with EB777VN.
    let head = crate::returns::ready_dossier(&app, &t, body.clone()).await;
    let (s, e) = act(
        &app,
        &t.reception,
        &code_of(&head),
        json!({"action": "ship_by_post", "tracking_number": "EB777VN"}),
    )
    .await;
    assert_eq!(s, 200, "{e}");

    let (reception, officer, leader) = branch(&app).await;
    let r = post_dossier(&app, &reception, &body, None).await;
    assert_eq!(r.status().as_u16(), 201);
    let code = code_of(&r.json::<Value>().await.expect("json"));
    // Assigning to a user of another kind or office names nobody.
    for who in ["admin", "tn.kv1", "khong-co-ai"] {
        let (s, e) = act(
            &app,
            &leader,
            &code,
            json!({"action": "assign", "officer": who}),
        )
        .await;
        assert_eq!(s, 422, "{e}");
        let m = e["fields"]["officer"].as_str().expect("message");
        assert!(!m.contains("Quản trị") && !m.contains("Khu vực"), "{m}");
    }
    let own = new_dossier(&app, &t, valid_body()).await;
    let (s, e) = act(
        &app,
        &t.leader,
        &code_of(&own),
        json!({"action": "assign", "officer": "cv.kv1"}),
    )
    .await;
    assert_eq!(
        s, 422,
        "a branch officer does not take the province's dossiers: {e}"
    );
    assert!(
        !e["fields"]["officer"]
            .as_str()
            .expect("m")
            .contains("Khu vực"),
        "{e}"
    );
    let (s, _) = act(
        &app,
        &leader,
        &code,
        json!({"action": "assign", "officer": "cv.kv1"}),
    )
    .await;
    assert_eq!(s, 200);
    let (s, _) = act(&app, &officer, &code, json!({"action": "submit_for_approval", "result": {"number": "3/QĐ-CCTHADS", "date": "2026-11-20", "signer": "Lê Văn Hùng"}})).await;
    assert_eq!(s, 200);
    let (s, _) = act(&app, &leader, &code, json!({"action": "approve"})).await;
    assert_eq!(s, 200);
    // The tracking number in use elsewhere: refused without the other dossier's code.
    let (s, e) = act(
        &app,
        &reception,
        &code,
        json!({"action": "ship_by_post", "tracking_number": "EB777VN"}),
    )
    .await;
    assert_eq!(s, 422, "{e}");
    let m = e["fields"]["tracking_number"].as_str().expect("message");
    assert!(m.contains("EB777VN") && !m.contains(&code_of(&head)), "{m}");
}

async fn personal_data_stays_out_of_urls_and_caches(app: TestApp) {
    let t = team(&app).await;
    let d = new_dossier(&app, &t, valid_body()).await;
    let leader = crate::reception::staff(&app, "lanhdao3", "leader").await;
    // Every search box posts: the ID number never becomes part of a URL.
    let (_, home) = leader.get_text("/").await;
    assert!(home.contains("<form method=\"post\" action=\"/ho-so\" class=\"header-search\""));
    let clerk = crate::reception::staff(&app, "tiepnhan3", "reception").await;
    let (_, counter) = clerk.get_text("/tra-ket-qua").await;
    assert!(counter.contains("<form method=\"post\" action=\"/tra-ket-qua\""));
    let r = leader
        .post_form(
            "/ho-so",
            "/ho-so",
            &[("q", "056090001234"), ("trang_thai", "")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let page = r.text().await.expect("body");
    assert!(page.contains(&code_of(&d)));
    assert!(
        !page.contains("q=056090001234"),
        "no link carries the words searched"
    );
    // A scanned QR link goes to the dossier by a posted form.
    let link = d["lookup_url"].as_str().expect("lookup");
    let r = clerk
        .post_form("/tra-ket-qua", "/tra-ket-qua", &[("q", link)])
        .await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(r.headers()["location"], format!("/ho-so/{}", code_of(&d)));
    // Staff pages and exports are not kept by caches.
    for path in [
        format!("/ho-so/{}", code_of(&d)),
        "/so-theo-doi/excel".to_string(),
        "/so-theo-doi/csv".to_string(),
    ] {
        let r = leader.get(&path).await;
        assert_eq!(
            r.headers()
                .get("cache-control")
                .map(|v| v.to_str().unwrap_or("")),
            Some("no-store"),
            "{path}"
        );
    }
}

async fn lists_and_uploads_have_limits(app: TestApp) {
    let t = team(&app).await;
    let mut body = valid_body();
    // The procedure's two required papers and 99 more: 101 lines.
    let mut many: Vec<Value> = body["documents"].as_array().expect("documents").clone();
    many.extend(
        (0..99).map(|i| json!({"name": format!("Giấy tờ {i}"), "form": "copy", "count": 1})),
    );
    body["documents"] = json!(many);
    let r = post_dossier(&app, &t.reception, &body, None).await;
    assert_eq!(r.status().as_u16(), 422);
    let e: Value = r.json().await.expect("json");
    assert!(
        e["fields"]["documents"]
            .as_str()
            .expect("m")
            .contains("Tối đa 100"),
        "{e}"
    );
    let d = new_dossier(&app, &t, valid_body()).await;
    act(
        &app,
        &t.leader,
        &code_of(&d),
        json!({"action": "assign", "officer": "chuyenvien"}),
    )
    .await;
    let (s, e) = act(
        &app,
        &t.officer,
        &code_of(&d),
        json!({"action": "request_supplement", "missing": many}),
    )
    .await;
    assert_eq!(s, 422);
    assert!(
        e["fields"]["missing"]
            .as_str()
            .expect("m")
            .contains("Tối đa 100"),
        "{e}"
    );

    // The CSV upload: too many parts are refused; an absurd date is a line error.
    let clerk = crate::reception::staff(&app, "tiepnhan4", "reception").await;
    let token = clerk.csrf("/buu-chinh").await;
    let mut form = reqwest::multipart::Form::new().text("csrf_token", token.clone());
    for i in 0..50 {
        form = form.text(format!("x{i}"), "y");
    }
    let r = clerk
        .client
        .post(clerk.url("/buu-chinh/ket-qua-phat"))
        .multipart(form)
        .send()
        .await
        .expect("POST");
    assert_eq!(r.status().as_u16(), 400);
    let form = reqwest::multipart::Form::new()
        .text("csrf_token", token)
        .part(
            "file",
            reqwest::multipart::Part::bytes(
                "Số hiệu,Kết quả,Ngày phát\nEB1,Đã phát,01/01/-262143\n"
                    .as_bytes()
                    .to_vec(),
            )
            .file_name("ketqua.csv"),
        );
    let r = clerk
        .client
        .post(clerk.url("/buu-chinh/ket-qua-phat"))
        .multipart(form)
        .send()
        .await
        .expect("POST");
    assert_eq!(r.status().as_u16(), 422);
    assert!(r
        .text()
        .await
        .expect("body")
        .contains("không đúng dạng ngày"));

    // The admin's user search takes % and _ literally.
    let (_, list) = app.get_text("/admin/users?q=%25").await;
    assert!(!list.contains("chuyenvien"), "% matches only a %");
}

/// Who posts, where, the page giving the CSRF token, and the fields.
type FormCase<'a> = (&'a TestApp, &'a str, &'a str, Vec<(&'a str, &'a str)>);

/// Text a person, a scanner or a fuzzer might send.
fn nasty_text() -> impl Strategy<Value = String> {
    proptest::prop_oneof![
        "\\PC{0,10}\\x00\\PC{0,10}",
        "[\\x01-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f\\u{80}-\\u{9f}]{1,5}",
        "\\PC{0,40}",
        "[a-zA-Z0-9 %_\\\\'\";<>&=+-]{0,60}",
        proptest::collection::vec(proptest::char::any(), 0..30)
            .prop_map(|v| v.into_iter().collect::<String>()),
        "[\\u{0300}-\\u{036f}\\u{200b}-\\u{200f}\\u{fe00}-\\u{fe0f}\\u{1f600}-\\u{1f64f}]{1,20}",
        (1usize..5).prop_map(|n| "Ạ".repeat(n * 3000)),
    ]
}

async fn random_text_anywhere_never_gives_a_500(app: TestApp) {
    let t = team(&app).await;
    let d = new_dossier(&app, &t, valid_body()).await;
    let code = code_of(&d);
    let clerk = crate::reception::staff(&app, "tiepnhan5", "reception").await;
    let leader = crate::reception::staff(&app, "lanhdao5", "leader").await;
    let anonymous = app.other_browser();
    let mut runner = TestRunner::deterministic();
    let strategy = nasty_text();
    for case in 0..16 {
        let s = strategy.new_tree(&mut runner).expect("value").current();
        let check = |what: &str, status: u16| {
            assert!(status < 500, "case {case}, {what}: {status} for {s:?}");
        };
        // Forms (with a valid CSRF token), each text field in turn.
        let (act_path, void_path) = (
            format!("/ho-so/{code}/thao-tac"),
            format!("/ho-so/{code}/huy"),
        );
        let page_path = format!("/ho-so/{code}");
        let forms: [FormCase; 12] = [
            (
                &leader,
                &act_path,
                &page_path,
                vec![
                    ("action", &s),
                    ("version", &s),
                    ("note", &s),
                    ("officer", &s),
                    ("reason", &s),
                ],
            ),
            (
                &leader,
                &void_path,
                &page_path,
                vec![("reason", &s), ("version", &s)],
            ),
            (
                &clerk,
                "/buu-chinh/gui",
                "/buu-chinh",
                vec![("postal_worker", &s), ("pick", &s), ("tracking", &s)],
            ),
            (
                &app,
                "/admin/procedures",
                "/admin/procedures/new",
                vec![
                    ("code", &s),
                    ("name", &s),
                    ("field", &s),
                    ("working_days", &s),
                    ("source", &s),
                ],
            ),
            (
                &anonymous,
                "/login",
                "/login",
                vec![("username", &s), ("password", &s), ("next", &s)],
            ),
            (
                &clerk,
                "/ho-so",
                "/ho-so",
                vec![("q", &s), ("trang_thai", &s)],
            ),
            (&clerk, "/tra-ket-qua", "/tra-ket-qua", vec![("q", &s)]),
            (
                &app,
                "/admin/users",
                "/admin/users/new",
                vec![
                    ("username", &s),
                    ("full_name", &s),
                    ("role", "officer"),
                    ("office", &s),
                    ("password", &s),
                ],
            ),
            (
                &app,
                "/admin/offices",
                "/admin/offices/new",
                vec![("code", &s), ("name", &s), ("parent", &s)],
            ),
            (
                &app,
                "/admin/calendar/days",
                "/admin/calendar",
                vec![("date", &s), ("kind", &s), ("name", &s)],
            ),
            (
                &app,
                "/account/password",
                "/account/password",
                vec![
                    ("current_password", &s),
                    ("new_password", &s),
                    ("confirm_password", &s),
                ],
            ),
            (
                &clerk,
                "/buu-chinh/nhan",
                "/buu-chinh",
                vec![
                    ("record_number", &s),
                    ("signed_at", &s),
                    ("postal_worker", &s),
                ],
            ),
        ];
        for (who, path, token_page, fields) in forms {
            let status = who
                .post_form(path, token_page, &fields)
                .await
                .status()
                .as_u16();
            check(path, status);
        }
        let mut fields = crate::reception::applicant();
        fields.retain(|(k, _)| *k != "full_name" && *k != "address");
        fields.extend([
            ("full_name", s.as_str()),
            ("address", s.as_str()),
            ("note", s.as_str()),
            ("outcome", "accept"),
        ]);
        let (r, _) = crate::reception::post_reception(&clerk, &fields, None).await;
        check("/tiep-nhan/moi", r.status().as_u16());
        let status = clerk
            .post_form(
                &format!("/ho-so/{code}/nguoi-nop"),
                &format!("/ho-so/{code}"),
                &[("full_name", &s), ("reason", &s)],
            )
            .await
            .status()
            .as_u16();
        check("applicant correction", status);
        let status = clerk
            .post_form(
                &format!("/ho-so/{code}/danh-gia"),
                &format!("/ho-so/{code}"),
                &[("level", &s), ("comment", &s)],
            )
            .await
            .status()
            .as_u16();
        check("rating", status);

        // JSON endpoints and query strings.
        let mut body = valid_body();
        body["applicant"]["full_name"] = json!(s);
        body["note"] = json!(s);
        body["procedure_code"] = json!(s);
        check(
            "POST dossiers",
            post_dossier(&app, &t.reception, &body, None)
                .await
                .status()
                .as_u16(),
        );
        let (status, _) = act(
            &app,
            &t.leader,
            &code,
            json!({"action": "assign", "officer": s, "note": s}),
        )
        .await;
        check("assign", status);
        let (status, _) = act(&app, &t.leader, &code, json!({"action": s})).await;
        check("unknown action", status);
        let r = app
            .client
            .post(app.url("/api/v1/tokens"))
            .json(&json!({"username": s, "password": s}))
            .send()
            .await
            .expect("POST");
        check("tokens", r.status().as_u16());
        // URLs stay within what clients and proxies send (a few KB).
        let short: String = s.chars().take(300).collect();
        let q: String = url::form_urlencoded::byte_serialize(short.as_bytes()).collect();
        for path in [
            format!("/api/v1/dossiers?q={q}&office={q}&procedure={q}"),
            format!("/api/v1/calendar/due-date?received_at={q}&working_days=1"),
            format!("/api/v1/calendar/holidays?year={q}"),
            format!("/api/v1/dossiers/{q}"),
        ] {
            let r = app
                .client
                .get(app.url(&path))
                .bearer_auth(&t.leader)
                .send()
                .await
                .expect("GET");
            check(&path, r.status().as_u16());
        }
        for path in [
            format!("/thu-tuc/{q}"),
            format!("/tra-cuu/{q}"),
            format!("/thu-tuc?q={q}"),
            format!("/so-theo-doi?tu_ngay={q}&den_ngay={q}&thu_tuc={q}&kenh={q}"),
        ] {
            check(&path, clerk.get(&path).await.status().as_u16());
        }
    }
    // The counter still works for everyone afterwards.
    assert_eq!(
        post_dossier(&app, &t.reception, &valid_body(), None)
            .await
            .status()
            .as_u16(),
        201
    );
}

#[tokio::test]
async fn short_session_keys_and_weak_first_passwords_are_refused() {
    for (key, password, expected) in [
        (Some("ngan-qua"), None, "MOTCUA_SECRET_KEY"),
        (None, Some("12345"), "MOTCUA_ADMIN_PASSWORD"),
    ] {
        let url = crate::helpers::fresh_database(Backend::Sqlite).expect("sqlite");
        let mut config = test_config(&url);
        config.secret_key = key.map(str::to_string);
        config.admin_password = password.map(str::to_string);
        let e = motcua::Application::build(config).err().expect("refused");
        assert!(e.to_string().contains(expected), "{e}");
    }
    let ok = spawn_with(Backend::Sqlite, |c| {
        c.secret_key = Some("k".repeat(motcua::config::MIN_SECRET_KEY_CHARS));
    })
    .await;
    assert!(ok.is_some());
}

/// Logs in through a reverse proxy that says the client is `address`.
async fn login_from(app: &TestApp, address: &str, username: &str, password: &str) -> u16 {
    let page = app
        .client
        .get(app.url("/login"))
        .header("x-forwarded-for", address)
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("body");
    let token = crate::helpers::csrf_of(&page);
    app.client
        .post(app.url("/login"))
        .header("x-forwarded-for", address)
        .form(&[
            ("username", username),
            ("password", password),
            ("next", "/"),
            ("csrf_token", &token),
        ])
        .send()
        .await
        .expect("POST")
        .status()
        .as_u16()
}

async fn a_guesser_cannot_lock_a_colleague_out(backend: Backend) {
    let Some(app) = spawn_with(backend, |c| c.trust_proxy = true).await else {
        return;
    };
    let guesser = app.other_browser();
    for _ in 0..5 {
        assert_eq!(
            login_from(&guesser, "203.0.113.9", "admin", "doan-bua-1").await,
            401
        );
    }
    // The guesser waits...
    assert_eq!(
        login_from(&guesser, "203.0.113.9", "admin", ADMIN_PASSWORD).await,
        429
    );
    // ...the administrator at her own desk does not.
    let admin = app.other_browser();
    assert_eq!(
        login_from(&admin, "198.51.100.7", "admin", ADMIN_PASSWORD).await,
        303
    );
    // Parallel guesses cannot slip past the block.
    let mut answers = Vec::new();
    for _ in 0..12 {
        let b = app.other_browser();
        answers.push(tokio::spawn(async move {
            login_from(&b, "203.0.113.10", "admin", "doan-bua-2").await
        }));
    }
    let mut codes = Vec::new();
    for a in answers {
        codes.push(a.await.expect("join"));
    }
    assert!(codes.iter().all(|c| *c == 401 || *c == 429), "{codes:?}");
    assert!(
        codes.iter().filter(|c| **c == 401).count() <= 6,
        "{codes:?}"
    );
}

#[tokio::test]
async fn a_guesser_cannot_lock_a_colleague_out_sqlite() {
    a_guesser_cannot_lock_a_colleague_out(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_guesser_cannot_lock_a_colleague_out_postgres() {
    a_guesser_cannot_lock_a_colleague_out(Backend::Postgres).await;
}

async fn other_body_types_cannot_slip_control_characters_past(app: TestApp) {
    // A form sent as text/plain, JSON as text/json, a gzip body: none gets through.
    let page = app.get_text("/login").await.1;
    let token = crate::helpers::csrf_of(&page);
    let r = app
        .client
        .post(app.url("/login"))
        .header("content-type", "text/plain")
        .body(format!(
            "username=admin%00&password=x&next=%2F&csrf_token={token}"
        ))
        .send()
        .await
        .expect("POST");
    assert_eq!(r.status().as_u16(), 400);
    assert_eq!(
        r.headers()["cache-control"],
        "no-store",
        "the usual headers"
    );
    let r = app
        .client
        .post(app.url("/api/v1/tokens"))
        .header("content-type", "text/json")
        .body(r#"{"username":"admin\u0000","password":"x"}"#)
        .send()
        .await
        .expect("POST");
    assert_eq!(r.status().as_u16(), 422);
    let r = app
        .client
        .post(app.url("/api/v1/tokens"))
        .header("content-type", "application/json")
        .header("content-encoding", "gzip")
        .body(vec![0x1f, 0x8b, 0x08, 0x00])
        .send()
        .await
        .expect("POST");
    assert_eq!(r.status().as_u16(), 415);
    // A username longer than any account's is a wrong login, not a 500.
    let long = "a".repeat(5000);
    assert_eq!(app.login(&long, "x").await.status().as_u16(), 401);
}

async fn a_burst_of_logins_leaves_the_database_to_others(backend: Backend) {
    let Some(app) = spawn_with(backend, |c| {
        c.hash_cost = motcua::config::HashCost::Production;
    })
    .await
    else {
        return;
    };
    // 40 logins with real argon2 parameters at once, and pages that need the
    // database meanwhile: every answer comes, none is a 5xx.
    let mut tasks = Vec::new();
    for i in 0..40 {
        let b = app.other_browser();
        tasks.push(tokio::spawn(async move {
            b.login(&format!("nguoi-{i}"), "sai-mat-khau-1")
                .await
                .status()
                .as_u16()
        }));
    }
    for _ in 0..20 {
        let b = app.other_browser();
        tasks.push(tokio::spawn(async move {
            b.get("/api/v1/procedures").await.status().as_u16()
        }));
    }
    for t in tasks {
        let status = t.await.expect("join");
        assert!(status < 500, "{status}");
    }
}

#[tokio::test]
async fn a_burst_of_logins_leaves_the_database_to_others_sqlite() {
    a_burst_of_logins_leaves_the_database_to_others(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_burst_of_logins_leaves_the_database_to_others_postgres() {
    a_burst_of_logins_leaves_the_database_to_others(Backend::Postgres).await;
}
