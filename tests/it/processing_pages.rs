//! Processing on the pages: the leader's queue and bulk assignment, the
//! officer's inbox, action forms with errors and stale versions, the printed
//! forms, and due dates moved by a calendar correction.

use serde_json::{json, Value};

use crate::dossiers_api::valid_body;
use crate::helpers::TestApp;
use crate::on_both_backends;
use crate::processing::{act, dossier, new_dossier, team};

on_both_backends!(
    leaders_assign_in_bulk_and_officers_see_their_inbox,
    action_forms_check_input_and_versions_and_print_forms,
    a_calendar_correction_moves_open_due_dates_later,
);

const PASSWORD: &str = "xu-ly-ho-so-2026";

async fn browser_of(app: &TestApp, username: &str) -> TestApp {
    let b = app.other_browser();
    let r = b.login(username, PASSWORD).await;
    assert_eq!(r.status().as_u16(), 303, "{username} logs in");
    b
}

fn code_of(d: &Value) -> String {
    d["code"].as_str().expect("code").to_string()
}

async fn leaders_assign_in_bulk_and_officers_see_their_inbox(app: TestApp) {
    let t = team(&app).await;
    let a = new_dossier(&app, &t, valid_body()).await;
    let b = new_dossier(&app, &t, valid_body()).await;
    let leader = browser_of(&app, "lanhdao").await;
    let (status, queue) = leader.get_text("/phan-cong").await;
    assert_eq!(status, 200);
    assert!(queue.contains("Hồ sơ chờ phân công (2)"), "both wait");
    // Nothing ticked: a message, nothing assigned.
    let r = leader
        .post_form("/phan-cong", "/phan-cong", &[("officer", "chuyenvien")])
        .await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(r
        .text()
        .await
        .expect("body")
        .contains("Đánh dấu ít nhất một hồ sơ"));
    let pick_a = format!("{}:{}", code_of(&a), a["version"]);
    let pick_b = format!("{}:{}", code_of(&b), b["version"]);
    let r = leader
        .post_form(
            "/phan-cong",
            "/phan-cong",
            &[
                ("officer", "chuyenvien"),
                ("pick", &pick_a),
                ("pick", &pick_b),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, queue) = leader.get_text("/phan-cong").await;
    assert!(queue.contains("Đã phân công 2 hồ sơ."));
    assert!(queue.contains("Hồ sơ chờ phân công (0)"));
    assert!(queue.contains("Đang giải quyết (2)"));
    // The same ticks again (stale versions): refused, said plainly.
    let r = leader
        .post_form(
            "/phan-cong",
            "/phan-cong",
            &[("officer", "chuyenvien2"), ("pick", &pick_a)],
        )
        .await;
    // Shown on the page answering the request (a long list cannot overflow the cookie).
    assert_eq!(r.status().as_u16(), 422);
    let queue = r.text().await.expect("body");
    assert!(queue.contains("Chưa phân công được"), "stale pick reported");

    let officer = browser_of(&app, "chuyenvien").await;
    let (status, inbox) = officer.get_text("/viec-cua-toi").await;
    assert_eq!(status, 200);
    assert!(inbox.contains(&code_of(&a)) && inbox.contains(&code_of(&b)));
    assert!(inbox.contains("2 hồ sơ đang giải quyết"));
    let other = browser_of(&app, "chuyenvien2").await;
    let (_, empty) = other.get_text("/viec-cua-toi").await;
    assert!(empty.contains("Không có hồ sơ nào được phân công cho bạn"));
    // Roles: the counter has no queue, a leader no inbox.
    assert_eq!(officer.get("/phan-cong").await.status().as_u16(), 403);
    assert_eq!(leader.get("/viec-cua-toi").await.status().as_u16(), 403);
}

async fn action_forms_check_input_and_versions_and_print_forms(app: TestApp) {
    let t = team(&app).await;
    let d = new_dossier(&app, &t, valid_body()).await;
    let code = code_of(&d);
    let page = format!("/ho-so/{code}");
    let post = format!("/ho-so/{code}/thao-tac");
    let leader = browser_of(&app, "lanhdao").await;
    let (_, show) = leader.get_text(&page).await;
    assert!(show.contains("Xử lý hồ sơ") && show.contains("value=\"assign\""));
    let r = leader
        .post_form(
            &post,
            &page,
            &[
                ("action", "assign"),
                ("version", "1"),
                ("officer", "chuyenvien"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);

    let officer = browser_of(&app, "chuyenvien").await;
    let (_, show) = officer.get_text(&page).await;
    assert!(
        show.contains("value=\"submit_for_approval\"")
            && show.contains("value=\"request_supplement\"")
    );
    assert!(
        !show.contains("value=\"approve\""),
        "officers do not approve"
    );
    let r = officer
        .post_form(
            &post,
            &page,
            &[
                ("action", "submit_for_approval"),
                ("version", "2"),
                ("result_number", "77/QĐ-THADS"),
                ("result_date", "31/02/2026"),
                ("result_signer", ""),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let body = r.text().await.expect("body");
    assert!(body.contains("Ghi ngày dạng ngày/tháng/năm"));
    assert!(body.contains("value=\"77/QĐ-THADS\""), "typed number kept");
    let r = officer
        .post_form(
            &post,
            &page,
            &[
                ("action", "submit_for_approval"),
                ("version", "2"),
                ("result_number", "77/QĐ-THADS"),
                ("result_date", "20/11/2026"),
                ("result_signer", ""),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(r
        .text()
        .await
        .expect("body")
        .contains("Nhập người ký văn bản kết quả."));
    let r = officer
        .post_form(
            &post,
            &page,
            &[
                ("action", "submit_for_approval"),
                ("version", "2"),
                ("result_number", "77/QĐ-THADS"),
                ("result_date", "20/11/2026"),
                ("result_signer", "Lê Văn Hùng"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    // A second officer tab still on version 2: told, and shown the fresh state.
    let r = leader
        .post_form(
            &post,
            &page,
            &[("action", "send_back"), ("version", "2"), ("note", "Sửa")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, show) = leader.get_text(&page).await;
    assert!(
        show.contains("vừa được người khác cập nhật"),
        "stale message"
    );
    assert!(show.contains("Chờ phê duyệt"));
    let r = leader
        .post_form(&post, &page, &[("action", "approve"), ("version", "3")])
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, show) = leader.get_text(&page).await;
    assert!(show.contains("Đã thực hiện: Phê duyệt kết quả."));
    assert!(show.contains("Đã có kết quả, chờ trả"));
    assert!(show.contains("Văn bản số 77/QĐ-THADS"));

    // The control sheet: every handover, with its timeliness.
    let (status, sheet) = leader
        .get_text(&format!("/ho-so/{code}/phieu-kiem-soat"))
        .await;
    assert_eq!(status, 200);
    assert!(sheet.contains("Mẫu số 05"));
    for step in [
        "Bộ phận một cửa giao hồ sơ cho đơn vị giải quyết",
        "Lãnh đạo giao chuyên viên xử lý",
        "Chuyên viên trình lãnh đạo",
        "Lãnh đạo chuyển kết quả cho bộ phận một cửa",
    ] {
        assert!(sheet.contains(step), "{step}");
    }
    assert!(sheet.contains("Trước hạn"));

    // Supplement request print, apology print, stop notice.
    let e = new_dossier(&app, &t, valid_body()).await;
    let ecode = code_of(&e);
    act(
        &app,
        &t.leader,
        &ecode,
        json!({"action": "assign", "officer": "chuyenvien"}),
    )
    .await;
    let (status, _) = act(&app, &t.officer, &ecode, json!({"action": "request_supplement", "missing": [{"name": "Giấy ủy quyền có công chứng", "form": "certified_copy"}], "note": "Thiếu ủy quyền"})).await;
    assert_eq!(status, 200);
    let (status, print) = officer
        .get_text(&format!("/ho-so/{ecode}/yeu-cau-bo-sung/1"))
        .await;
    assert_eq!(status, 200);
    assert!(print.contains("Mẫu số 02") && print.contains("Giấy ủy quyền có công chứng"));
    act(
        &app,
        &t.reception,
        &ecode,
        json!({"action": "receive_supplement"}),
    )
    .await;
    let due = dossier(&app, &t.leader, &ecode).await["due_date"]
        .as_str()
        .expect("due")
        .to_string();
    let (_, later) = app
        .client
        .get(app.url(&format!(
            "/api/v1/calendar/due-date?received_at={due}T08:00:00&working_days=3"
        )))
        .send()
        .await
        .expect("GET")
        .json::<Value>()
        .await
        .map(|v| (0, v))
        .expect("json");
    let (status, x) = act(&app, &t.leader, &ecode, json!({"action": "extend", "new_due_date": later["due_date"], "reason": "Chờ kết quả xác minh"})).await;
    assert_eq!(status, 200, "{x}");
    let (status, print) = leader
        .get_text(&format!("/ho-so/{ecode}/phieu-xin-loi"))
        .await;
    assert_eq!(status, 200);
    assert!(print.contains("Mẫu số 04") && print.contains("Chờ kết quả xác minh"));
    assert!(print.contains("Thủ trưởng cơ quan"));
    let (status, _) = leader
        .get_text(&format!("/ho-so/{code}/phieu-xin-loi"))
        .await;
    assert_eq!(status, 404, "no apology where there was no extension");
    let (status, _) = act(
        &app,
        &t.reception,
        &ecode,
        json!({"action": "withdraw", "reason": "Đã tự thỏa thuận"}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, print) = leader
        .get_text(&format!("/ho-so/{ecode}/thong-bao-dung"))
        .await;
    assert_eq!(status, 200);
    assert!(
        print.contains("Thông báo dừng giải quyết hồ sơ") && print.contains("Đã tự thỏa thuận")
    );
}

async fn a_calendar_correction_moves_open_due_dates_later(app: TestApp) {
    let t = team(&app).await;
    let d = new_dossier(&app, &t, valid_body()).await;
    let code = code_of(&d);
    let due = d["due_date"].as_str().expect("due").to_string();
    let first_counted = {
        let (_, r) = (
            0,
            app.client
                .get(app.url(&format!(
                    "/api/v1/calendar/due-date?received_at={}&working_days=5",
                    d["received_at"].as_str().expect("time").replace('+', "%2B")
                )))
                .send()
                .await
                .expect("GET")
                .json::<Value>()
                .await
                .expect("json"),
        );
        r["counted"][0].as_str().expect("a counted day").to_string()
    };
    // A holiday declared on one of the counted days pushes the date later.
    let day = chrono::NaiveDate::parse_from_str(&first_counted, "%Y-%m-%d").expect("date");
    let r = app
        .post_form(
            "/admin/calendar/days",
            "/admin/calendar",
            &[
                ("date", &day.format("%d/%m/%Y").to_string()),
                ("kind", "holiday"),
                ("name", "Nghỉ đột xuất"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let after = dossier(&app, &t.leader, &code).await;
    let new_due = after["due_date"].as_str().expect("due").to_string();
    assert!(new_due > due, "{new_due} after {due}");
    let last = after["history"]
        .as_array()
        .expect("history")
        .last()
        .expect("entry")
        .clone();
    assert_eq!(last["action"], "recompute");
    assert_eq!(last["by"], "admin");
    assert!(last["note"]
        .as_str()
        .expect("note")
        .contains("Lịch nghỉ được điều chỉnh"));
    // Removing it again never moves the date earlier than what was told.
    let r = app
        .post_form(
            "/admin/calendar/days/delete",
            "/admin/calendar",
            &[("date", &first_counted)],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let again = dossier(&app, &t.leader, &code).await;
    assert_eq!(again["due_date"], new_due.as_str());
}
