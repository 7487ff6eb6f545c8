//! Administrators manage users and offices from the pages.

use crate::helpers::TestApp;
use crate::on_both_backends;
use motcua::services::seed::DEFAULT_OFFICE_CODE;

on_both_backends!(
    admin_creates_a_user_who_can_log_in,
    invalid_user_form_comes_back_with_messages_and_typed_values,
    role_change_and_deactivation_take_effect_at_once,
    password_reset_forces_a_new_password,
    the_last_admin_cannot_be_demoted,
    offices_form_a_tree_without_cycles,
    staff_change_their_own_password,
);

async fn admin_creates_a_user_who_can_log_in(app: TestApp) {
    app.login_admin().await;
    app.create_user("tiepnhan1", "reception", "tiep-nhan-2026")
        .await;
    let (_, list) = app.get_text("/admin/users").await;
    assert!(list.contains("tiepnhan1"));
    assert!(list.contains("Cán bộ tiếp nhận và trả kết quả"));
    let (_, found) = app.get_text("/admin/users?q=tiepnhan").await;
    assert!(found.contains("tiepnhan1"));
    assert!(found.contains("trên tổng số 1"), "{found}");
    let (_, none) = app.get_text("/admin/users?q=khong-ai").await;
    assert!(none.contains("Không có người dùng nào"));

    let clerk = app.other_browser();
    assert_eq!(
        clerk
            .login("tiepnhan1", "tiep-nhan-2026")
            .await
            .status()
            .as_u16(),
        303
    );
    let (status, home) = clerk.get_text("/").await;
    assert_eq!(status, 200);
    assert!(home.contains("Nguyễn Văn Thử"));

    let (_, audit) = app.get_text("/admin/audit").await;
    assert!(audit.contains("Thêm người dùng"));
    assert!(audit.contains("tiepnhan1"));
}

async fn invalid_user_form_comes_back_with_messages_and_typed_values(app: TestApp) {
    app.login_admin().await;
    let r = app
        .post_form(
            "/admin/users",
            "/admin/users/new",
            &[
                ("username", "Ng uyễn"),
                ("full_name", "Trần Thị Bình"),
                ("role", ""),
                ("office", DEFAULT_OFFICE_CODE),
                ("password", "ngan"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let body = r.text().await.expect("body");
    assert!(body.contains("Có lỗi cần sửa"));
    assert!(body.contains("Tên đăng nhập chỉ gồm chữ cái không dấu"));
    assert!(body.contains("Chọn vai trò của người dùng."));
    assert!(body.contains("Mật khẩu phải có ít nhất 10 ký tự."));
    assert!(
        body.contains("href=\"#username\""),
        "summary links to the field"
    );
    assert!(body.contains("value=\"Trần Thị Bình\""), "typed name kept");
    assert!(body.contains("aria-invalid=\"true\""));

    // A duplicate username is refused beside the field.
    app.create_user("canbo1", "officer", "can-bo-2026-x").await;
    let r = app
        .post_form(
            "/admin/users",
            "/admin/users/new",
            &[
                ("username", "CANBO1"),
                ("full_name", "Người Khác"),
                ("role", "officer"),
                ("office", DEFAULT_OFFICE_CODE),
                ("password", "mat-khau-khac-1"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(r
        .text()
        .await
        .expect("body")
        .contains("Tên đăng nhập canbo1 đã có người dùng."));
}

/// The id in the first `/admin/users/{id}` link after `username` in the list.
async fn user_id(app: &TestApp, username: &str) -> String {
    let (_, list) = app.get_text(&format!("/admin/users?q={username}")).await;
    crate::helpers::link_id(&list, username, "/admin/users/")
}

async fn role_change_and_deactivation_take_effect_at_once(app: TestApp) {
    app.login_admin().await;
    app.create_user("lanhdao1", "leader", "lanh-dao-2026").await;
    let id = user_id(&app, "lanhdao1").await;

    let leader = app.other_browser();
    assert_eq!(
        leader
            .login("lanhdao1", "lanh-dao-2026")
            .await
            .status()
            .as_u16(),
        303
    );
    assert_eq!(leader.get("/").await.status().as_u16(), 200);

    // Promote to admin: the open session ends (the role it was issued for changed).
    let r = app
        .post_form(
            &format!("/admin/users/{id}"),
            &format!("/admin/users/{id}"),
            &[
                ("full_name", "Lê Văn Lãnh Đạo"),
                ("role", "admin"),
                ("office", DEFAULT_OFFICE_CODE),
                ("active", "on"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(
        leader.get("/account/password").await.status().as_u16(),
        303,
        "session ended"
    );
    assert_eq!(
        leader
            .login("lanhdao1", "lanh-dao-2026")
            .await
            .status()
            .as_u16(),
        303
    );
    assert_eq!(
        leader.get("/admin/users").await.status().as_u16(),
        200,
        "now an admin"
    );

    // Deactivate: refused at once, and cannot log in again.
    let r = app
        .post_form(
            &format!("/admin/users/{id}"),
            &format!("/admin/users/{id}"),
            &[
                ("full_name", "Lê Văn Lãnh Đạo"),
                ("role", "leader"),
                ("office", DEFAULT_OFFICE_CODE),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(leader.get("/account/password").await.status().as_u16(), 303);
    assert_eq!(
        leader
            .login("lanhdao1", "lanh-dao-2026")
            .await
            .status()
            .as_u16(),
        401
    );
    let (_, list) = app.get_text("/admin/users?q=lanhdao1").await;
    assert!(list.contains("Đã khóa"));
}

async fn password_reset_forces_a_new_password(app: TestApp) {
    app.login_admin().await;
    app.create_user("giamsat1", "supervisor", "giam-sat-2026")
        .await;
    let id = user_id(&app, "giamsat1").await;
    let sup = app.other_browser();
    assert_eq!(
        sup.login("giamsat1", "giam-sat-2026")
            .await
            .status()
            .as_u16(),
        303
    );

    let r = app
        .post_form(
            &format!("/admin/users/{id}/password"),
            &format!("/admin/users/{id}"),
            &[("password", "ngan")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(r
        .text()
        .await
        .expect("body")
        .contains("Mật khẩu phải có ít nhất 10 ký tự."));

    let r = app
        .post_form(
            &format!("/admin/users/{id}/password"),
            &format!("/admin/users/{id}"),
            &[("password", "tam-thoi-2026")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(
        sup.get("/account/password").await.status().as_u16(),
        303,
        "open session ended"
    );
    assert_eq!(
        sup.login("giamsat1", "giam-sat-2026")
            .await
            .status()
            .as_u16(),
        401
    );
    assert_eq!(
        sup.login("giamsat1", "tam-thoi-2026")
            .await
            .status()
            .as_u16(),
        303
    );
    let r = sup.get("/").await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(r.headers()["location"], "/account/password");
    let (_, page) = sup.get_text("/account/password").await;
    assert!(page.contains("Bạn cần đặt mật khẩu mới"));
    let r = sup
        .post_form(
            "/account/password",
            "/account/password",
            &[
                ("current_password", "tam-thoi-2026"),
                ("new_password", "cua-rieng-toi-99"),
                ("confirm_password", "cua-rieng-toi-99"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(sup.get("/").await.status().as_u16(), 200);
}

async fn the_last_admin_cannot_be_demoted(app: TestApp) {
    app.login_admin().await;
    let id = user_id(&app, "admin").await;
    let r = app
        .post_form(
            &format!("/admin/users/{id}"),
            &format!("/admin/users/{id}"),
            &[
                ("full_name", "Quản trị hệ thống"),
                ("role", "officer"),
                ("office", DEFAULT_OFFICE_CODE),
                ("active", "on"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(r
        .text()
        .await
        .expect("body")
        .contains("quản trị viên cuối cùng"));
    let r = app
        .post_form(
            &format!("/admin/users/{id}"),
            &format!("/admin/users/{id}"),
            &[
                ("full_name", "Quản trị hệ thống"),
                ("role", "admin"),
                ("office", DEFAULT_OFFICE_CODE),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(r
        .text()
        .await
        .expect("body")
        .contains("Bạn không thể tự khóa tài khoản của mình."));
    assert_eq!(app.get("/admin/users").await.status().as_u16(), 200);
}

async fn offices_form_a_tree_without_cycles(app: TestApp) {
    app.login_admin().await;
    let r = app
        .post_form(
            "/admin/offices",
            "/admin/offices/new",
            &[
                ("code", "000.00.12.H34"),
                ("name", "Chi cục THADS khu vực 1"),
                ("parent", DEFAULT_OFFICE_CODE),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, list) = app.get_text("/admin/offices").await;
    assert!(list.contains("Chi cục THADS khu vực 1"));
    assert!(list.contains("depth-1"), "the branch sits under its parent");

    // Duplicate and malformed codes.
    let r = app
        .post_form(
            "/admin/offices",
            "/admin/offices/new",
            &[("code", "000.00.12.H34"), ("name", "Trùng")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(r
        .text()
        .await
        .expect("body")
        .contains("Mã đơn vị 000.00.12.H34 đã có."));
    let r = app
        .post_form(
            "/admin/offices",
            "/admin/offices/new",
            &[("code", "A-1"), ("name", "")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let body = r.text().await.expect("body");
    assert!(body.contains("Mã đơn vị chỉ gồm"));
    assert!(body.contains("Nhập tên đơn vị."));
    assert!(body.contains("value=\"A-1\""));

    // The root cannot be put under its own branch.
    let root = &crate::helpers::link_id(&list, "Cơ quan thi hành án dân sự", "/admin/offices/");
    let r = app
        .post_form(
            &format!("/admin/offices/{root}"),
            &format!("/admin/offices/{root}"),
            &[
                ("name", "Cục THADS tỉnh"),
                ("parent", "000.00.12.H34"),
                ("active", "on"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(r
        .text()
        .await
        .expect("body")
        .contains("Đơn vị cấp trên không thể là chính đơn vị này"));

    // Renaming works; an office with active users cannot be closed.
    let r = app
        .post_form(
            &format!("/admin/offices/{root}"),
            &format!("/admin/offices/{root}"),
            &[("name", "Cục THADS tỉnh Khánh Hòa"), ("parent", "")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(r
        .text()
        .await
        .expect("body")
        .contains("Đơn vị còn người dùng đang hoạt động"));
    let r = app
        .post_form(
            &format!("/admin/offices/{root}"),
            &format!("/admin/offices/{root}"),
            &[
                ("name", "Cục THADS tỉnh Khánh Hòa"),
                ("parent", ""),
                ("active", "on"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, home) = app.get_text("/").await;
    assert!(home.contains("Cục THADS tỉnh Khánh Hòa"));
}

async fn staff_change_their_own_password(app: TestApp) {
    app.login_admin().await;
    app.create_user("canbo2", "officer", "ban-dau-2026").await;
    let me = app.other_browser();
    me.login("canbo2", "ban-dau-2026").await;
    let other_device = app.other_browser();
    other_device.login("canbo2", "ban-dau-2026").await;
    assert_eq!(other_device.get("/").await.status().as_u16(), 200);

    let r = me
        .post_form(
            "/account/password",
            "/account/password",
            &[
                ("current_password", "sai-roi-2026"),
                ("new_password", "moi"),
                ("confirm_password", "khac"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let body = r.text().await.expect("body");
    assert!(body.contains("Mật khẩu hiện tại không đúng."));
    assert!(body.contains("Mật khẩu phải có ít nhất 10 ký tự."));
    assert!(body.contains("Nhập lại đúng mật khẩu mới."));

    let r = me
        .post_form(
            "/account/password",
            "/account/password",
            &[
                ("current_password", "ban-dau-2026"),
                ("new_password", "mat-khau-moi-2026"),
                ("confirm_password", "mat-khau-moi-2026"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let (status, home) = me.get_text("/").await;
    assert_eq!(status, 200, "this session goes on");
    assert!(home.contains("Đã đổi mật khẩu."));
    assert_eq!(
        other_device
            .get("/account/password")
            .await
            .status()
            .as_u16(),
        303,
        "other sessions end"
    );
    assert_eq!(
        me.other_browser()
            .login("canbo2", "mat-khau-moi-2026")
            .await
            .status()
            .as_u16(),
        303
    );
}
