//! Two-factor login (TOTP with recovery codes, on pages and for API tokens,
//! required by an administrator) and personal data (the access log and the
//! retention purge), over HTTP on both backends.

use motcua::domain::two_factor::code_at;
use serde_json::Value;

use crate::helpers::{count_sql, csrf_of, run_sql, TestApp};
use crate::on_both_backends;
use crate::processing::{new_dossier, team};

on_both_backends!(
    two_factor_login_takes_app_codes_once_and_recovery_codes,
    an_administrator_can_require_two_factor_login,
    views_of_personal_data_are_logged_and_old_details_purged,
);

const PW: &str = "xu-ly-ho-so-2026";

fn now() -> u64 {
    chrono::Utc::now().timestamp() as u64
}

/// Posts a form with the CSRF token of `page`; returns status, location, body.
async fn post(
    b: &TestApp,
    path: &str,
    page: &str,
    fields: &[(&str, &str)],
) -> (u16, String, String) {
    let r = b.post_form(path, page, fields).await;
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, location, r.text().await.unwrap())
}

/// Turns two-factor login on for the browser's user; returns the secret and
/// the recovery codes shown.
async fn enrol(b: &TestApp) -> (String, Vec<String>) {
    let (status, body) = b.get_text("/account/hai-lop").await;
    assert_eq!(status, 200, "{body}");
    let marker = "<code class=\"secret\">";
    let start = body.find(marker).expect("secret shown") + marker.len();
    let end = body[start..].find("</code>").unwrap() + start;
    let secret: String = body[start..end].split_whitespace().collect();
    assert!(body.contains("<svg"), "QR code shown");
    let (status, _, body) = post(
        b,
        "/account/hai-lop",
        "/account/hai-lop",
        &[("action", "enable"), ("code", "12345")],
    )
    .await;
    assert_eq!(status, 422, "a malformed code is refused");
    assert!(body.contains("Mã không đúng"), "{body}");
    let code = code_at(&secret, now()).unwrap();
    let (status, _, body) = post(
        b,
        "/account/hai-lop",
        "/account/hai-lop",
        &[("action", "enable"), ("code", &code)],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("recovery-codes"), "{body}");
    let codes: Vec<String> = body
        .split("<li><code>")
        .skip(1)
        .map(|s| s[..s.find("</code>").unwrap()].to_string())
        .collect();
    assert_eq!(codes.len(), 10, "{body}");
    assert!(codes
        .iter()
        .all(|c| c.len() == 11 && c.as_bytes()[5] == b'-'));
    (secret, codes)
}

/// Password, then the second step with `code`: the second step's answer.
async fn sign_in(app: &TestApp, user: &str, code: &str) -> (TestApp, u16, String) {
    let b = app.other_browser();
    let r = b.login(user, PW).await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(
        r.headers()["location"],
        "/login/ma-xac-thuc",
        "the password alone is not enough"
    );
    let (status, location, _) = post(
        &b,
        "/login/ma-xac-thuc",
        "/login/ma-xac-thuc",
        &[("code", code)],
    )
    .await;
    (b, status, location)
}

async fn token(app: &TestApp, user: &str, totp: Option<&str>) -> (u16, Value) {
    let mut body = serde_json::json!({"username": user, "password": PW});
    if let Some(t) = totp {
        body["totp"] = Value::from(t);
    }
    let r = app
        .client
        .post(app.url("/api/v1/tokens"))
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

async fn two_factor_login_takes_app_codes_once_and_recovery_codes(app: TestApp) {
    team(&app).await;
    let leader = app.other_browser();
    assert_eq!(leader.login("lanhdao", PW).await.status().as_u16(), 303);
    let (secret, codes) = enrol(&leader).await;

    // Between the password and the code nothing opens.
    let b = app.other_browser();
    b.login("lanhdao", PW).await;
    let r = b.get("/phan-cong").await;
    assert_eq!(r.status().as_u16(), 303);
    assert!(r.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/login?next="));

    // The code used to turn it on cannot be replayed; the next one works once.
    let used = code_at(&secret, now()).unwrap();
    let (_, status, _) = sign_in(&app, "lanhdao", &used).await;
    assert_eq!(status, 401, "a code works once");
    let next = code_at(&secret, now() + 30).unwrap();
    let (b, status, location) = sign_in(&app, "lanhdao", &next).await;
    assert_eq!((status, location.as_str()), (303, "/"));
    assert_eq!(b.get("/phan-cong").await.status().as_u16(), 200);
    let (_, status, _) = sign_in(&app, "lanhdao", &next).await;
    assert_eq!(status, 401, "not twice, not even in another browser");

    // A recovery code, typed loosely, works once.
    let loose = codes[0].to_uppercase().replace('-', " ");
    let (b, status, _) = sign_in(&app, "lanhdao", &loose).await;
    assert_eq!(status, 303);
    let (_, home) = b.get_text("/").await;
    assert!(home.contains("còn 9 mã"), "the flash counts what is left");
    let (_, status, _) = sign_in(&app, "lanhdao", &codes[0]).await;
    assert_eq!(status, 401);

    // API tokens want the second factor too.
    let (status, body) = token(&app, "lanhdao", None).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("two_factor_required")),
        "{body}"
    );
    let (status, body) = token(&app, "lanhdao", Some("aaaaa-bbbbb")).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_two_factor_code"))
    );
    let (status, body) = token(&app, "lanhdao", Some(&codes[1])).await;
    assert_eq!(status, 201, "{body}");
    // Others are not asked.
    assert_eq!(token(&app, "chuyenvien", None).await.0, 201);

    // Wrong codes are throttled: five free, then blocked.
    let mut statuses = Vec::new();
    for _ in 0..7 {
        statuses.push(sign_in(&app, "lanhdao", "000001").await.1);
    }
    assert_eq!(statuses.last(), Some(&429), "{statuses:?}");
    let (_, status, _) = sign_in(&app, "lanhdao", &codes[2]).await;
    assert_eq!(status, 429, "even a right code waits out the block");

    // Officers cannot open the page; the leader can turn it off with a code.
    let officer = app.other_browser();
    officer.login("chuyenvien", PW).await;
    assert_eq!(officer.get("/account/hai-lop").await.status().as_u16(), 403);
}

async fn an_administrator_can_require_two_factor_login(app: TestApp) {
    team(&app).await;
    let (status, location, _) = post(
        &app,
        "/admin/bao-mat",
        "/admin/bao-mat",
        &[("required", "1")],
    )
    .await;
    assert_eq!((status, location.as_str()), (303, "/admin/bao-mat"));

    // Leaders and administrators without it are sent to set it up; others work.
    let leader = app.other_browser();
    leader.login("lanhdao", PW).await;
    let r = leader.get("/phan-cong").await;
    assert_eq!(r.headers()["location"], "/account/hai-lop");
    let r = app.get("/admin/users").await;
    assert_eq!(r.headers()["location"], "/account/hai-lop");
    let officer = app.other_browser();
    officer.login("chuyenvien", PW).await;
    assert_eq!(officer.get("/viec-cua-toi").await.status().as_u16(), 200);
    let (status, body) = token(&app, "lanhdao", None).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (403, Some("two_factor_setup_required"))
    );

    // Once set up, the work opens; it cannot be turned off while required.
    let (secret, _) = enrol(&leader).await;
    assert_eq!(leader.get("/phan-cong").await.status().as_u16(), 200);
    let code = code_at(&secret, now() + 30).unwrap();
    let (status, _, body) = post(
        &leader,
        "/account/hai-lop",
        "/account/hai-lop",
        &[("action", "disable"), ("code", &code)],
    )
    .await;
    assert_eq!(status, 422);
    assert!(body.contains("không tắt được"));

    // The administrator sets his own up, sees who has it, and resets a lost phone.
    enrol(&app).await;
    let (status, page) = app.get_text("/admin/bao-mat").await;
    assert_eq!(status, 200);
    assert_eq!(page.matches("Đang bật").count(), 2, "{page}");
    let row = page.find("<td>lanhdao</td>").expect("the leader's row");
    let at = row + page[row..].find("/admin/bao-mat/").unwrap();
    let action = &page[at..at + page[at..].find('"').unwrap()];
    let token_ = csrf_of(&page);
    let r = app
        .client
        .post(app.url(action))
        .form(&[("csrf_token", token_.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    let (_, page) = app.get_text("/admin/bao-mat").await;
    assert_eq!(page.matches("Đang bật").count(), 1);
}

async fn views_of_personal_data_are_logged_and_old_details_purged(app: TestApp) {
    let t = team(&app).await;
    let old = new_dossier(&app, &t, crate::dossiers_api::valid_body()).await;
    let open = new_dossier(&app, &t, crate::dossiers_api::valid_body()).await;
    let (old, open) = (
        old["code"].as_str().unwrap(),
        open["code"].as_str().unwrap(),
    );

    let counter = app.other_browser();
    counter.login("tiepnhan", PW).await;
    assert_eq!(
        counter
            .get(&format!("/ho-so/{old}"))
            .await
            .status()
            .as_u16(),
        200
    );
    assert_eq!(
        counter
            .get(&format!("/ho-so/{old}/bien-nhan"))
            .await
            .status()
            .as_u16(),
        200
    );
    assert_eq!(counter.get("/so-theo-doi/csv").await.status().as_u16(), 200);
    let r = app
        .client
        .get(app.url(&format!("/api/v1/dossiers/{old}")))
        .bearer_auth(&t.officer)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    // A refused or missing page is no view.
    assert_eq!(counter.get("/ho-so/KHONG-CO").await.status().as_u16(), 404);

    let (status, log) = app
        .get_text(&format!("/admin/du-lieu-ca-nhan?ho_so={old}"))
        .await;
    assert_eq!(status, 200);
    assert!(log.contains("3 lượt"), "{log}");
    for text in [
        "Xem",
        "In",
        "Đọc qua API",
        "tiepnhan",
        "chuyenvien",
        "/ho-so/{code}/bien-nhan",
    ] {
        assert!(log.contains(text), "{text} in the log");
    }
    let (_, log) = app
        .get_text("/admin/du-lieu-ca-nhan?nguoi_dung=tiepnhan")
        .await;
    assert!(
        log.contains("Xuất tệp") && log.contains("nhiều hồ sơ"),
        "the export is logged"
    );
    assert_eq!(
        counter
            .get("/admin/du-lieu-ca-nhan")
            .await
            .status()
            .as_u16(),
        403
    );

    // Retention: a bad value comes back with its message and what was typed.
    let (status, _, body) = post(
        &app,
        "/admin/du-lieu-ca-nhan",
        "/admin/du-lieu-ca-nhan",
        &[("action", "save"), ("retention_years", "2,5")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(body.contains("từ 1 đến 100") && body.contains("value=\"2,5\""));
    let (status, _, _) = post(
        &app,
        "/admin/du-lieu-ca-nhan",
        "/admin/du-lieu-ca-nhan",
        &[("action", "save"), ("retention_years", "5")],
    )
    .await;
    assert_eq!(status, 303);

    // One dossier returned six years ago, one still open (also old).
    run_sql(
        &app.database_url,
        &[
            &format!("UPDATE dossiers SET status = 'withdrawn', updated_at = '2020-01-02 03:00:00' WHERE code = '{old}'"),
            &format!("UPDATE dossiers SET updated_at = '2020-01-02 03:00:00' WHERE code = '{open}'"),
        ],
    );
    let (status, _, _) = post(
        &app,
        "/admin/du-lieu-ca-nhan",
        "/admin/du-lieu-ca-nhan",
        &[("action", "purge")],
    )
    .await;
    assert_eq!(status, 303);
    let (_, page) = app.get_text("/admin/du-lieu-ca-nhan").await;
    assert!(page.contains("của 1 hồ sơ"), "{page}");
    let purged = |code: &str| {
        count_sql(
            &app.database_url,
            &format!(
                "SELECT COUNT(*) AS n FROM dossiers WHERE code = '{code}' AND applicant_name = '(đã xóa theo thời hạn lưu trữ)' \
                 AND id_number IS NULL AND phone = '' AND email IS NULL AND address = '' AND personal_data_purged_at IS NOT NULL"
            ),
        )
    };
    assert_eq!(purged(old), 1);
    assert_eq!(purged(open), 0, "an open dossier keeps its details");
    // The statistics stay: the dossier, its procedure, channel, dates and history.
    let kept = count_sql(
        &app.database_url,
        &format!(
            "SELECT COUNT(*) AS n FROM dossiers d JOIN dossier_events e ON e.dossier_id = d.id \
             WHERE d.code = '{old}' AND d.channel = 'counter' AND d.status = 'withdrawn'"
        ),
    );
    assert!(kept >= 1);
    let (status, page) = counter.get_text(&format!("/ho-so/{old}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("đã xóa theo thời hạn lưu trữ"));
    assert!(!page.contains("Nguyễn Văn An"));
}
