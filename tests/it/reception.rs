//! The reception counter's pages: accept and print the receipt, supplement
//! requests and refusals, validation, corrections, voiding, search, register.

use crate::helpers::{csrf_of, TestApp};
use crate::on_both_backends;

on_both_backends!(
    the_counter_accepts_a_dossier_and_prints_its_receipt,
    supplement_requests_and_refusals_create_no_dossier,
    a_wrong_form_comes_back_with_messages_and_typed_values,
    applicants_are_corrected_and_dossiers_voided_with_history,
    the_register_lists_prints_and_exports,
);

pub const PASSWORD: &str = "quay-mot-cua-2026";

/// Logs in a new user of `role` in a second browser.
pub async fn staff(app: &TestApp, username: &str, role: &str) -> TestApp {
    if app.get("/admin/users").await.status().as_u16() != 200 {
        app.login_admin().await;
    }
    app.create_user(username, role, PASSWORD).await;
    let browser = app.other_browser();
    let r = browser.login(username, PASSWORD).await;
    assert_eq!(r.status().as_u16(), 303);
    browser
}

fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("{name} field")) + marker.len();
    let end = html[start..].find('"').expect("quote") + start;
    html[start..end].to_string()
}

pub fn applicant() -> Vec<(&'static str, &'static str)> {
    vec![
        ("applicant_kind", "person"),
        ("full_name", "Nguyễn Văn An"),
        ("id_number", "056090001234"),
        ("phone", "0912 345 678"),
        ("email", ""),
        ("address", "12 Trần Phú, Nha Trang"),
        ("channel", "counter"),
        ("return_method", "counter"),
        ("sets", "1"),
    ]
}

/// Opens the form for THADS-YCTHA and posts `fields` with its hidden fields.
pub async fn post_reception(
    clerk: &TestApp,
    fields: &[(&str, &str)],
    submission: Option<&str>,
) -> (reqwest::Response, String) {
    let (status, form) = clerk.get_text("/tiep-nhan/moi?thu_tuc=THADS-YCTHA").await;
    assert_eq!(status, 200);
    let id = submission
        .map(str::to_string)
        .unwrap_or_else(|| hidden(&form, "submission_id"));
    let mut all: Vec<(&str, &str)> = fields.to_vec();
    let csrf = csrf_of(&form);
    all.push(("csrf_token", &csrf));
    all.push(("procedure_code", "THADS-YCTHA"));
    all.push(("submission_id", &id));
    let r = clerk
        .client
        .post(clerk.url("/tiep-nhan/moi"))
        .form(&all)
        .send()
        .await
        .expect("POST");
    (r, id)
}

fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("location")
        .to_string()
}

/// Receives a complete dossier and returns its code.
pub async fn receive(clerk: &TestApp, name: &str) -> String {
    let mut fields = applicant();
    fields.retain(|(k, _)| *k != "full_name");
    fields.push(("full_name", name));
    fields.extend([
        ("doc_0", "on"),
        ("doc_0_count", "1"),
        ("doc_1", "on"),
        ("doc_1_count", "2"),
        ("outcome", "accept"),
    ]);
    let (r, _) = post_reception(clerk, &fields, None).await;
    assert_eq!(r.status().as_u16(), 303);
    let to = location(&r);
    to.trim_start_matches("/ho-so/")
        .trim_end_matches("/da-tiep-nhan")
        .replace("%2E", ".")
}

async fn the_counter_accepts_a_dossier_and_prints_its_receipt(app: TestApp) {
    let clerk = staff(&app, "tiepnhan", "reception").await;
    let (status, start) = clerk.get_text("/tiep-nhan?q=yeu%20cau%20thi%20hanh").await;
    assert_eq!(status, 200);
    assert!(start.contains("Thủ tục yêu cầu thi hành án"));
    assert!(!start.contains("Thủ tục xác nhận kết quả thi hành án"));

    let mut fields = applicant();
    fields.extend([
        ("doc_0", "on"),
        ("doc_0_count", "1"),
        ("doc_1", "on"),
        ("doc_1_count", "2"),
        ("extra_0_name", "Giấy ủy quyền"),
        ("extra_0_form", "original"),
        ("extra_0_count", "1"),
        ("note", "Quầy số 2"),
        ("outcome", "accept"),
    ]);
    let (r, submission) = post_reception(&clerk, &fields, None).await;
    assert_eq!(r.status().as_u16(), 303);
    let done = location(&r);
    assert!(done.ends_with("/da-tiep-nhan"), "{done}");
    let (status, page) = clerk.get_text(&done).await;
    assert_eq!(status, 200);
    let code_start =
        page.find("id=\"dossier-code\">").expect("code shown") + "id=\"dossier-code\">".len();
    let code = page[code_start..code_start + 30]
        .split('<')
        .next()
        .expect("code")
        .to_string();
    assert!(
        code.starts_with("000.00.00.H00-") && code.ends_with("-0001"),
        "{code}"
    );
    assert!(page.contains("Hẹn trả kết quả"));
    assert!(page.contains("Việc tiếp theo"));

    // A double click (the same form posted again) gives the same dossier.
    let (again, _) = post_reception(&clerk, &fields, Some(&submission)).await;
    assert_eq!(location(&again), done);

    let (status, receipt) = clerk.get_text(&format!("/ho-so/{code}/bien-nhan")).await;
    assert_eq!(status, 200);
    assert!(receipt.contains("Giấy tiếp nhận hồ sơ và hẹn trả kết quả"));
    assert!(receipt.contains("Cộng hòa xã hội chủ nghĩa Việt Nam"));
    assert!(receipt.contains("Liên 1") && receipt.contains("Liên 2"));
    assert_eq!(receipt.matches("<svg").count(), 2, "one QR code per copy");
    assert!(receipt.contains("Nguyễn Văn An"));
    assert!(receipt.contains("Giấy ủy quyền"));
    assert!(receipt.contains("Nha Trang, ngày"));
    assert!(receipt.contains("số thứ tự 1"));

    // The dossier page explains its due date and shows its history.
    let (status, show) = clerk.get_text(&format!("/ho-so/{code}")).await;
    assert_eq!(status, 200);
    assert!(show.contains("Cách tính hạn giải quyết"));
    assert!(show.contains("Các ngày làm việc được tính"));
    assert!(show.contains("Tiếp nhận hồ sơ"));
    assert!(show.contains("Quầy số 2"));

    // Search from any page, accent-insensitive.
    let (_, found) = clerk.get_text("/ho-so?q=nguyen%20van%20an").await;
    assert!(found.contains(&code), "search by folded name");
    let (_, none) = clerk.get_text("/ho-so?q=tran%20thi").await;
    assert!(none.contains("Không có hồ sơ nào"));
    let r = clerk.get(&format!("/ho-so?q={code}")).await;
    assert_eq!(r.status().as_u16(), 303, "a full code opens the dossier");

    // The QR link's public page shows no personal data.
    let start = receipt.find("/tra-cuu/").is_some();
    assert!(!start, "the receipt's QR is an image, not a link in text");
    let token_api = crate::dossiers_api::token_of(&app, "tiepnhan", PASSWORD).await;
    let d: serde_json::Value = clerk
        .client
        .get(clerk.url(&format!("/api/v1/dossiers/{code}")))
        .bearer_auth(&token_api)
        .send()
        .await
        .expect("GET")
        .json()
        .await
        .expect("json");
    let url = d["lookup_url"].as_str().expect("lookup_url");
    let path = &url[url.find("/tra-cuu/").expect("path")..];
    let public = app.other_browser();
    let (status, status_page) = public.get_text(path).await;
    assert_eq!(status, 200);
    assert!(status_page.contains(&code));
    assert!(status_page.contains("Đã tiếp nhận"));
    for secret in ["Nguyễn Văn An", "056090001234", "0912345678", "Trần Phú"] {
        assert!(!status_page.contains(secret), "{secret} leaked");
    }
    let (status, _) = public.get_text("/tra-cuu/khong-co-ma-nay").await;
    assert_eq!(status, 404);
    // Staff pages stay closed to the public.
    let r = public.get(&format!("/ho-so/{code}")).await;
    assert_eq!(r.status().as_u16(), 303);
}

async fn supplement_requests_and_refusals_create_no_dossier(app: TestApp) {
    let clerk = staff(&app, "tiepnhan", "reception").await;
    let mut fields = applicant();
    fields.extend([
        ("doc_0", "on"),
        ("doc_0_count", "1"),
        ("fix_0_name", "Đơn yêu cầu: bổ sung chữ ký"),
        ("fix_0_form", "original"),
        ("contact_phone", "0258 3822 123"),
        ("outcome", "supplement"),
    ]);
    let (r, _) = post_reception(&clerk, &fields, None).await;
    assert_eq!(r.status().as_u16(), 303);
    let notice = location(&r);
    assert!(notice.starts_with("/phieu/"), "{notice}");
    let (status, page) = clerk.get_text(&notice).await;
    assert_eq!(status, 200);
    assert!(page.contains("Mẫu số 02"));
    assert!(page.contains("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"));
    // Everything missing at once: the unticked required paper and the fix.
    assert!(page.contains("Bản án, quyết định được yêu cầu thi hành"));
    assert!(page.contains("Đơn yêu cầu: bổ sung chữ ký"));
    assert!(page.contains("0258 3822 123"));

    // A refusal needs its reason.
    let mut refusal = applicant();
    refusal.push(("outcome", "refusal"));
    let (r, _) = post_reception(&clerk, &refusal, None).await;
    assert_eq!(r.status().as_u16(), 422);
    let body = r.text().await.expect("body");
    assert!(body.contains("Nêu rõ lý do từ chối tiếp nhận."));
    refusal.push((
        "reason",
        "Yêu cầu đã hết thời hiệu thi hành án (Điều 30 Luật THADS).",
    ));
    let (r, _) = post_reception(&clerk, &refusal, None).await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, page) = clerk.get_text(&location(&r)).await;
    assert!(page.contains("Mẫu số 03"));
    assert!(page.contains("hết thời hiệu thi hành án"));

    let (_, list) = clerk.get_text("/so-theo-doi").await;
    assert!(
        list.contains("Không có hồ sơ nào"),
        "no dossier was created"
    );
}

async fn a_wrong_form_comes_back_with_messages_and_typed_values(app: TestApp) {
    let clerk = staff(&app, "tiepnhan", "reception").await;
    let fields = vec![
        ("applicant_kind", "person"),
        ("full_name", "Lê Thị Cúc"),
        ("id_number", "0560900"),
        ("phone", "12ab"),
        ("address", ""),
        ("channel", "postal"),
        ("return_method", "postal"),
        ("postmarked_on", "31/02/2026"),
        ("doc_0", "on"),
        ("doc_0_count", "0"),
        ("outcome", "accept"),
    ];
    let (r, _) = post_reception(&clerk, &fields, None).await;
    assert_eq!(r.status().as_u16(), 422);
    let page = r.text().await.expect("body");
    assert!(page.contains("Có lỗi cần sửa"));
    assert!(page.contains("value=\"Lê Thị Cúc\""), "typed name kept");
    assert!(page.contains("value=\"0560900\""), "typed ID kept");
    assert!(page.contains("Ghi ngày dạng ngày/tháng/năm"));
    // Dates are checked first; then the rest.
    let mut fields = fields;
    fields.retain(|(k, _)| *k != "postmarked_on");
    let (r, _) = post_reception(&clerk, &fields, None).await;
    assert_eq!(r.status().as_u16(), 422);
    let page = r.text().await.expect("body");
    for message in [
        "Số định danh cá nhân (CCCD) gồm đúng 12 chữ số.",
        "Số điện thoại chỉ gồm chữ số",
        "Nhập địa chỉ của người nộp hồ sơ.",
        "Nhập địa chỉ nhận kết quả qua bưu chính.",
        "Nhập số biên bản giao nhận với nhân viên bưu chính.",
        "Số lượng là số nguyên từ 1 đến 99.",
    ] {
        assert!(page.contains(message), "{message}");
    }
    assert!(
        page.contains("href=\"#id_number\""),
        "summary links to the field"
    );
    let (_, list) = clerk.get_text("/so-theo-doi").await;
    assert!(list.contains("Không có hồ sơ nào"));
}

async fn applicants_are_corrected_and_dossiers_voided_with_history(app: TestApp) {
    let clerk = staff(&app, "tiepnhan", "reception").await;
    let code = receive(&clerk, "Phạm Văn Đức").await;
    let page = format!("/ho-so/{code}/nguoi-nop");
    let r = clerk
        .post_form(
            &page,
            &page,
            &[
                ("applicant_kind", "person"),
                ("full_name", "Phạm Văn Được"),
                ("id_number", "056090001234"),
                ("phone", "0912345678"),
                ("address", "12 Trần Phú, Nha Trang"),
                ("reason", ""),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(r
        .text()
        .await
        .expect("body")
        .contains("value=\"Phạm Văn Được\""));
    let r = clerk
        .post_form(
            &page,
            &page,
            &[
                ("applicant_kind", "person"),
                ("full_name", "Phạm Văn Được"),
                ("id_number", "056090001234"),
                ("phone", "0912345678"),
                ("address", "12 Trần Phú, Nha Trang"),
                ("reason", "Gõ nhầm tên theo CCCD"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, show) = clerk.get_text(&format!("/ho-so/{code}")).await;
    assert!(show.contains("Sửa thông tin người nộp"));
    assert!(show.contains("Gõ nhầm tên theo CCCD"));
    assert!(show.contains("«Phạm Văn Đức» → «Phạm Văn Được»"));

    // Only a leader voids; the dossier keeps its code.
    let void = format!("/ho-so/{code}/huy");
    let r = clerk
        .post_form(
            &void,
            &format!("/ho-so/{code}"),
            &[("reason", "Nhập trùng")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 403);
    let leader = staff(&app, "lanhdao", "leader").await;
    let r = leader
        .post_form(&void, &format!("/ho-so/{code}"), &[("reason", "")])
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let r = leader
        .post_form(
            &void,
            &format!("/ho-so/{code}"),
            &[("reason", "Nhập trùng hồ sơ")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, show) = leader.get_text(&format!("/ho-so/{code}")).await;
    assert!(show.contains("Hồ sơ đã bị hủy do nhập nhầm"));
    assert!(show.contains("Nhập trùng hồ sơ"));
    // The next dossier does not reuse the code.
    let next = receive(&clerk, "Võ Thị Em").await;
    assert!(next.ends_with("-0002"), "{next}");
}

async fn the_register_lists_prints_and_exports(app: TestApp) {
    let clerk = staff(&app, "tiepnhan", "reception").await;
    let first = receive(&clerk, "Đặng Văn Giang").await;
    let second = receive(&clerk, "Hoàng Thị Hoa").await;
    let (status, register) = clerk.get_text("/so-theo-doi").await;
    assert_eq!(status, 200);
    assert!(register.contains(&first) && register.contains(&second));
    assert!(
        register.contains("Hiển thị 1–2 trên tổng số 2"),
        "count shown"
    );
    let (_, filtered) = clerk.get_text("/so-theo-doi?thu_tuc=THADS-XNKQ").await;
    assert!(!filtered.contains(&first));
    let (status, _) = clerk.get_text("/so-theo-doi?tu_ngay=01/01/-262143").await;
    assert_eq!(status, 422, "an absurd year is a message, not a crash");
    let (status, bad) = clerk.get_text("/so-theo-doi?tu_ngay=32/13/2026").await;
    assert_eq!(status, 422);
    assert!(bad.contains("Ghi ngày dạng ngày/tháng/năm"));
    assert!(bad.contains("value=\"32/13/2026\""));

    // The register's print link carries no period unless one was typed.
    let (_, register) = clerk.get_text("/so-theo-doi").await;
    assert!(
        register.contains("href=\"/so-theo-doi/in?\""),
        "no period typed"
    );
    let (_, register) = clerk.get_text("/so-theo-doi?tu_ngay=01/01/2026").await;
    assert!(register.contains("href=\"/so-theo-doi/in?tu_ngay=01%2F01%2F2026"));
    // Without a period, the print asks for one (this month by default).
    let (status, ask) = clerk.get_text("/so-theo-doi/in?kenh=counter").await;
    assert_eq!(status, 200);
    assert!(ask.contains("id=\"print-period\""));
    assert!(ask.contains("name=\"kenh\" value=\"counter\""));
    let from = motcua::domain::time::today().format("01/%m/%Y").to_string();
    let to = motcua::domain::time::today().format("%d/%m/%Y").to_string();
    assert!(ask.contains(&format!("value=\"{from}\"")));
    let (status, print) = clerk
        .get_text(&format!("/so-theo-doi/in?tu_ngay={from}&den_ngay={to}"))
        .await;
    assert_eq!(status, 200);
    assert!(print.contains("Mẫu số 06") && print.contains("Sổ theo dõi hồ sơ"));
    assert!(print.contains("Đặng Văn Giang"));

    let r = clerk.get("/so-theo-doi/excel").await;
    assert_eq!(r.status().as_u16(), 200);
    assert!(r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("spreadsheetml")));
    let bytes = r.bytes().await.expect("xlsx");
    assert_eq!(&bytes[..2], b"PK");
    let r = clerk.get("/so-theo-doi/csv").await;
    assert_eq!(r.status().as_u16(), 200);
    let csv = r.text().await.expect("csv");
    assert!(csv.contains("Mã hồ sơ"));
    assert!(csv.contains(&first) && csv.contains("Hoàng Thị Hoa"));
    // Administrators manage users, not dossiers.
    let r = app.get("/so-theo-doi").await;
    assert_eq!(r.status().as_u16(), 403);
}
