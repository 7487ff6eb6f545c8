//! Logging in and out, CSRF, roles, sessions.

use crate::helpers::{csrf_of, TestApp, ADMIN_PASSWORD};
use crate::on_both_backends;

on_both_backends!(
    login_succeeds_and_shows_the_home_page,
    wrong_password_and_unknown_user_get_the_same_message,
    logout_ends_the_session_even_for_a_copied_cookie,
    forms_without_csrf_token_are_refused,
    roles_are_enforced_with_a_vietnamese_403,
    repeated_wrong_passwords_are_slowed_down,
    session_cookie_is_http_only_and_same_site,
    unknown_pages_get_a_vietnamese_404,
);

async fn login_succeeds_and_shows_the_home_page(app: TestApp) {
    // Not signed in: `/` is the citizens' front door, staff pages send to the login.
    let (status, front) = app.get_text("/").await;
    assert_eq!(status, 200);
    assert!(
        front.contains("href=\"/login\""),
        "the front door links to the staff login"
    );
    let r = app.get("/ho-so").await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(r.headers()["location"], "/login?next=%2Fho-so");

    let r = app.login("admin", ADMIN_PASSWORD).await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(r.headers()["location"], "/");

    let (status, body) = app.get_text("/").await;
    assert_eq!(status, 200);
    assert!(body.contains("Xin chào, Quản trị hệ thống"), "{body}");
    assert!(body.contains("Quản trị hệ thống"));
    assert!(body.contains("Người dùng"), "admin navigation shown");
    assert!(body.contains("Đăng xuất"));
}

async fn wrong_password_and_unknown_user_get_the_same_message(app: TestApp) {
    let r = app.login("admin", "sai-mat-khau-1").await;
    assert_eq!(r.status().as_u16(), 401);
    let wrong = r.text().await.expect("body");
    assert!(wrong.contains("Tên đăng nhập hoặc mật khẩu không đúng."));
    assert!(wrong.contains("value=\"admin\""), "typed username kept");

    let r = app.login("khong-co-ai", "sai-mat-khau-1").await;
    assert_eq!(r.status().as_u16(), 401);
    assert!(r
        .text()
        .await
        .expect("body")
        .contains("Tên đăng nhập hoặc mật khẩu không đúng."));

    let r = app.login("", "").await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(r
        .text()
        .await
        .expect("body")
        .contains("Nhập tên đăng nhập và mật khẩu."));

    // Still not logged in.
    assert_eq!(app.get("/account/password").await.status().as_u16(), 303);
}

async fn logout_ends_the_session_even_for_a_copied_cookie(app: TestApp) {
    app.login_admin().await;
    // Copy the session cookie as an attacker would.
    let r = app.get("/").await;
    assert_eq!(r.status().as_u16(), 200);
    let stolen = app
        .client
        .get(app.url("/"))
        .send()
        .await
        .expect("GET")
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("motcua_session="))
        .map(|c| c.split(';').next().unwrap_or_default().to_string())
        .expect("session cookie is re-issued on each request");

    let r = app.post_form("/logout", "/", &[]).await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(r.headers()["location"], "/login?logged_out=1");
    let (_, body) = app.get_text("/login?logged_out=1").await;
    assert!(body.contains("Bạn đã đăng xuất."));
    assert_eq!(app.get("/account/password").await.status().as_u16(), 303);

    let replay = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let r = replay
        .get(app.url("/account/password"))
        .header("cookie", stolen)
        .send()
        .await
        .expect("GET");
    assert_eq!(
        r.status().as_u16(),
        303,
        "a copy of the logged-out cookie is refused"
    );
}

async fn forms_without_csrf_token_are_refused(app: TestApp) {
    // Login without a token.
    app.get("/login").await;
    let r = app
        .client
        .post(app.url("/login"))
        .form(&[("username", "admin"), ("password", ADMIN_PASSWORD)])
        .send()
        .await
        .expect("POST");
    assert_eq!(r.status().as_u16(), 403);
    assert!(r
        .text()
        .await
        .expect("body")
        .contains("Biểu mẫu đã hết hiệu lực"));

    app.login_admin().await;
    // An admin form with a wrong token changes nothing.
    let r = app
        .client
        .post(app.url("/admin/users"))
        .form(&[
            ("username", "ke-gian"),
            ("full_name", "Kẻ Gian"),
            ("role", "admin"),
            ("office", motcua::services::seed::DEFAULT_OFFICE_CODE),
            ("password", "mat-khau-123"),
            ("csrf_token", "sai"),
        ])
        .send()
        .await
        .expect("POST");
    assert_eq!(r.status().as_u16(), 403);
    let (_, list) = app.get_text("/admin/users").await;
    assert!(!list.contains("ke-gian"), "nothing was created");

    // Logout needs the token too.
    let r = app
        .client
        .post(app.url("/logout"))
        .send()
        .await
        .expect("POST");
    assert_eq!(r.status().as_u16(), 403);
    assert_eq!(app.get("/").await.status().as_u16(), 200, "still logged in");
}

async fn roles_are_enforced_with_a_vietnamese_403(app: TestApp) {
    app.login_admin().await;
    app.create_user("chuyenvien1", "officer", "chuyen-vien-2026")
        .await;

    let officer = app.other_browser();
    let r = officer.login("chuyenvien1", "chuyen-vien-2026").await;
    assert_eq!(r.status().as_u16(), 303);
    let (status, home) = officer.get_text("/").await;
    assert_eq!(status, 200);
    assert!(
        !home.contains("/admin/users"),
        "no admin link for an officer"
    );
    for path in [
        "/admin/users",
        "/admin/users/new",
        "/admin/offices",
        "/admin/audit",
        "/admin/users/1",
    ] {
        let (status, body) = officer.get_text(path).await;
        assert_eq!(status, 403, "{path}");
        assert!(body.contains("Không có quyền truy cập"), "{path}");
    }
    let r = officer
        .post_form("/admin/offices", "/", &[("code", "X.1"), ("name", "X")])
        .await;
    assert_eq!(r.status().as_u16(), 403);
}

async fn repeated_wrong_passwords_are_slowed_down(app: TestApp) {
    for _ in 0..5 {
        assert_eq!(
            app.login("admin", "sai-mat-khau-1").await.status().as_u16(),
            401
        );
    }
    // Now even the right password must wait.
    let r = app.login("admin", ADMIN_PASSWORD).await;
    assert_eq!(r.status().as_u16(), 429);
    assert!(r
        .text()
        .await
        .expect("body")
        .contains("Bạn đã nhập sai mật khẩu nhiều lần. Vui lòng thử lại sau"));
    // Another user is not affected.
    let r = app.login("khac", "sai-mat-khau-1").await;
    assert_eq!(r.status().as_u16(), 401);
}

async fn session_cookie_is_http_only_and_same_site(app: TestApp) {
    let r = app.login("admin", ADMIN_PASSWORD).await;
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("motcua_session="))
        .expect("login sets the session cookie")
        .to_string();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain http in tests: {cookie}");
    // Encrypted: the user id is not readable in the cookie.
    assert!(!cookie.contains("uid"), "{cookie}");
}

async fn unknown_pages_get_a_vietnamese_404(app: TestApp) {
    let (status, body) = app.get_text("/khong-co-trang-nay").await;
    assert_eq!(status, 404);
    assert!(body.contains("Không tìm thấy trang"));
    assert!(body.contains("lang=\"vi\""));
    app.login_admin().await;
    let (status, _) = app.get_text("/admin/users/999999").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn logging_in_again_issues_a_new_session() {
    let app = crate::helpers::spawn_app(crate::helpers::Backend::Sqlite)
        .await
        .expect("app");
    let (_, page) = app.get_text("/login").await;
    let before = csrf_of(&page);
    app.login_admin().await;
    let after = app.csrf("/").await;
    assert_ne!(
        before, after,
        "the pre-login session (and its CSRF token) is replaced"
    );
}

#[tokio::test]
async fn idle_sessions_end() {
    let app = crate::helpers::spawn_with(crate::helpers::Backend::Sqlite, |c| {
        c.session_idle_seconds = 1;
    })
    .await
    .expect("app");
    app.login_admin().await;
    assert_eq!(app.get("/").await.status().as_u16(), 200);
    tokio::time::sleep(std::time::Duration::from_millis(2200)).await;
    let r = app.get("/admin/users").await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(
        r.headers()["location"],
        "/login?next=%2Fadmin%2Fusers&expired=1"
    );
    let (_, body) = app.get_text("/login?next=%2Fadmin%2Fusers&expired=1").await;
    assert!(body.contains("Phiên làm việc đã hết hạn"));
}
