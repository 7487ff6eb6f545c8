//! The procedure catalog: public page, API, administration.

use crate::helpers::TestApp;
use crate::on_both_backends;

on_both_backends!(
    the_seeded_catalog_is_public,
    administrators_create_and_edit_procedures,
);

async fn the_seeded_catalog_is_public(app: TestApp) {
    let r = app.get("/api/v1/procedures").await;
    assert_eq!(r.status().as_u16(), 200);
    let v: serde_json::Value = r.json().await.expect("json");
    let items = v["items"].as_array().expect("items");
    let xnkq = items
        .iter()
        .find(|p| p["code"] == "THADS-XNKQ")
        .expect("seeded");
    // 3 working days since 01/07/2026 (Decree 152/2026/NĐ-CP); 5 before.
    assert_eq!(xnkq["working_days"], 3);
    assert_eq!(xnkq["documents"][0]["form"], "original");
    assert_eq!(xnkq["documents"][0]["required"], true);
    assert_eq!(
        xnkq["channels"],
        serde_json::json!(["counter", "postal", "online"])
    );
    let ycta = items
        .iter()
        .find(|p| p["code"] == "THADS-YCTHA")
        .expect("seeded");
    assert_eq!(ycta["working_days"], 5);

    let (status, list) = app.get_text("/thu-tuc").await;
    assert_eq!(status, 200);
    assert!(list.contains("Thủ tục yêu cầu thi hành án"));
    assert!(list.contains("Thủ tục xác nhận kết quả thi hành án"));
    // Accent-insensitive search.
    let (_, found) = app.get_text("/thu-tuc?q=yeu+cau+thi+hanh").await;
    assert!(found.contains("Thủ tục yêu cầu thi hành án"));
    assert!(!found.contains("Thủ tục xác nhận kết quả thi hành án"));
    let (_, none) = app.get_text("/thu-tuc?q=khong+co+thu+tuc+nay").await;
    assert!(none.contains("Không có thủ tục nào khớp"));

    let (status, detail) = app.get_text("/thu-tuc/THADS-YCTHA").await;
    assert_eq!(status, 200);
    assert!(detail.contains("Đơn yêu cầu thi hành án"));
    assert!(detail.contains("Bản chính"));
    assert!(detail.contains("5 ngày làm việc"));
    assert!(detail.contains("Qua dịch vụ bưu chính công ích"));
    assert_eq!(app.get("/thu-tuc/KHONG-CO").await.status().as_u16(), 404);
}

async fn administrators_create_and_edit_procedures(app: TestApp) {
    app.login_admin().await;
    let r = app
        .post_form(
            "/admin/procedures",
            "/admin/procedures/new",
            &[
                ("code", "THADS-THU"),
                ("name", "Thủ tục thử"),
                ("working_days", "400"),
                ("doc_name_0", ""),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let body = r.text().await.expect("body");
    assert!(body.contains("Nhập lĩnh vực."));
    assert!(body.contains("Thời hạn giải quyết là số ngày làm việc"));
    assert!(body.contains("Thành phần hồ sơ cần ít nhất một giấy tờ."));
    assert!(body.contains("value=\"Thủ tục thử\""), "typed values kept");

    let fields = [
        ("code", "THADS-THU"),
        ("name", "Thủ tục đề nghị thử nghiệm"),
        ("field", "Thi hành án dân sự"),
        ("result", "Văn bản trả lời"),
        ("fee", "Không"),
        ("source", "Văn bản thử"),
        ("channels", "counter"),
        ("channels", "postal"),
        ("return_methods", "counter"),
        ("active", "on"),
        ("working_days", "10"),
        ("doc_name_0", "Đơn đề nghị"),
        ("doc_form_0", "original"),
        ("doc_count_0", "1"),
        ("doc_required_0", "on"),
        ("doc_name_1", "Giấy tờ khác"),
        ("doc_form_1", "copy"),
        ("doc_count_1", "2"),
    ];
    let r = app
        .post_form("/admin/procedures", "/admin/procedures/new", &fields)
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let v: serde_json::Value = app
        .get("/api/v1/procedures")
        .await
        .json()
        .await
        .expect("json");
    let p = v["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|p| p["code"] == "THADS-THU")
        .cloned()
        .expect("created");
    assert_eq!(p["working_days"], 10);
    assert_eq!(p["channels"], serde_json::json!(["counter", "postal"]));
    assert_eq!(p["documents"][1]["count"], 2);
    assert_eq!(p["documents"][1]["required"], false);

    // A duplicate code is refused.
    let r = app
        .post_form("/admin/procedures", "/admin/procedures/new", &fields)
        .await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(r
        .text()
        .await
        .expect("body")
        .contains("Mã thủ tục THADS-THU đã có."));

    // Change the time from a future date: today's time is unchanged, the history shows both.
    let (_, list) = app.get_text("/admin/procedures").await;
    let id = &crate::helpers::link_id(&list, "Thủ tục đề nghị thử nghiệm", "/admin/procedures/");
    let mut edit: Vec<(&str, &str)> = fields
        .iter()
        .filter(|(k, _)| *k != "code" && *k != "working_days")
        .cloned()
        .collect();
    edit.push(("working_days", "7"));
    edit.push(("time_from", "01/01/2099"));
    let r = app
        .post_form(
            &format!("/admin/procedures/{id}"),
            &format!("/admin/procedures/{id}"),
            &edit,
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let v: serde_json::Value = app
        .get("/api/v1/procedures")
        .await
        .json()
        .await
        .expect("json");
    let p = v["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|p| p["code"] == "THADS-THU")
        .cloned()
        .expect("kept");
    assert_eq!(p["working_days"], 10, "the new time starts in 2099");
    let (_, form) = app.get_text(&format!("/admin/procedures/{id}")).await;
    assert!(
        form.contains("31/12/2098"),
        "old period closes the day before"
    );
    assert!(form.contains("01/01/2099"));
    assert!(form.contains("7 ngày làm việc"));
    let (_, audit) = app.get_text("/admin/audit").await;
    assert!(audit.contains("Sửa thủ tục"));

    // Officers may not manage procedures.
    app.create_user("chuyenvien7", "officer", "chuyen-vien-2026")
        .await;
    let officer = app.other_browser();
    officer.login("chuyenvien7", "chuyen-vien-2026").await;
    assert_eq!(
        officer.get("/admin/procedures").await.status().as_u16(),
        403
    );
    assert_eq!(officer.get("/admin/calendar").await.status().as_u16(), 403);
}
