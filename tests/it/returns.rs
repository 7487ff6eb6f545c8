//! Returning results: at the counter (identity, authorisation, return
//! record, rating), by post (handover list, CSV outcomes all or nothing, a
//! letter returned to sender), and postal intake records.

use serde_json::{json, Value};

use crate::dossiers_api::valid_body;
use crate::helpers::TestApp;
use crate::on_both_backends;
use crate::processing::{act, dossier, new_dossier, team, Team};

on_both_backends!(
    results_are_handed_over_at_the_counter_and_rated,
    results_go_by_post_and_one_comes_back,
    postal_intake_records_set_the_reception_time,
);

const PASSWORD: &str = "xu-ly-ho-so-2026";

fn as_refs(f: &[(String, String)]) -> Vec<(&str, &str)> {
    f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

async fn browser_of(app: &TestApp, username: &str) -> TestApp {
    let b = app.other_browser();
    let r = b.login(username, PASSWORD).await;
    assert_eq!(r.status().as_u16(), 303, "{username} logs in");
    b
}

fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("location")
        .to_string()
}

/// A dossier taken to `result_ready` through the API.
pub async fn ready_dossier(app: &TestApp, t: &Team, body: Value) -> Value {
    let d = new_dossier(app, t, body).await;
    let code = d["code"].as_str().expect("code").to_string();
    let (s, _) = act(
        app,
        &t.leader,
        &code,
        json!({"action": "assign", "officer": "chuyenvien"}),
    )
    .await;
    assert_eq!(s, 200);
    let (s, _) = act(app, &t.officer, &code, json!({"action": "submit_for_approval", "result": {"number": "12/QĐ-THADS", "date": "2026-11-20", "signer": "Lê Văn Hùng"}})).await;
    assert_eq!(s, 200);
    let (s, d) = act(app, &t.leader, &code, json!({"action": "approve"})).await;
    assert_eq!(s, 200);
    assert_eq!(d["status"], "result_ready");
    d
}

async fn results_are_handed_over_at_the_counter_and_rated(app: TestApp) {
    let t = team(&app).await;
    let d = ready_dossier(&app, &t, valid_body()).await;
    let code = d["code"].as_str().expect("code").to_string();
    let timeliness = d["timeliness"].clone();
    let clerk = browser_of(&app, "tiepnhan").await;

    let (status, page) = clerk.get_text("/tra-ket-qua").await;
    assert_eq!(status, 200);
    assert!(page.contains("Kết quả chờ trả (1)") && page.contains(&code));
    // A scanner types the receipt's QR link into the box.
    let url = d["lookup_url"].as_str().expect("lookup_url");
    let r = clerk
        .client
        .get(clerk.url("/tra-ket-qua"))
        .query(&[("q", url)])
        .send()
        .await
        .expect("GET");
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(location(&r), format!("/ho-so/{code}"));
    let r = clerk
        .client
        .get(clerk.url("/ho-so"))
        .query(&[("q", url)])
        .send()
        .await
        .expect("GET");
    assert_eq!(
        location(&r),
        format!("/ho-so/{code}"),
        "the header search takes it too"
    );
    let (status, page) = clerk
        .get_text("/tra-ket-qua?q=000.00.00.H00-200101-0009")
        .await;
    assert_eq!(status, 404);
    assert!(page.contains("Không tìm thấy hồ sơ"));

    // Someone else collects it: an authorisation is needed.
    let show = format!("/ho-so/{code}");
    let post = format!("/ho-so/{code}/thao-tac");
    let version = dossier(&app, &t.leader, &code).await["version"].to_string();
    let r = clerk
        .post_form(
            &post,
            &show,
            &[
                ("action", "deliver_at_counter"),
                ("version", &version),
                ("recipient_name", "Trần Văn Bảo"),
                ("recipient_id_number", "056088000111"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let body = r.text().await.expect("body");
    assert!(body.contains("Người nhận không phải người nộp hồ sơ"));
    // The applicant's name with another ID number is not the applicant.
    let r = clerk
        .post_form(
            &post,
            &show,
            &[
                ("action", "deliver_at_counter"),
                ("version", &version),
                ("recipient_name", "Nguyễn Văn An"),
                ("recipient_id_number", "056088000999"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(body.contains("value=\"Trần Văn Bảo\""));
    let r = clerk
        .post_form(
            &post,
            &show,
            &[
                ("action", "deliver_at_counter"),
                ("version", &version),
                ("recipient_name", "Trần Văn Bảo"),
                ("recipient_id_number", "056088000111"),
                (
                    "authorisation",
                    "Giấy ủy quyền số 15/UQ ngày 20/11/2026, UBND phường Nha Trang chứng thực",
                ),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let after = dossier(&app, &t.leader, &code).await;
    assert_eq!(after["status"], "delivered");
    assert_eq!(after["recipient_name"], "Trần Văn Bảo");
    assert!(after["delivered_at"].as_str().is_some());
    assert_eq!(
        after["timeliness"], timeliness,
        "fixed when the result was ready"
    );

    let (status, record) = clerk.get_text(&format!("/ho-so/{code}/phieu-tra")).await;
    assert_eq!(status, 200);
    assert!(record.contains("Phiếu trả kết quả giải quyết hồ sơ"));
    assert!(record.contains("Trần Văn Bảo") && record.contains("Giấy ủy quyền số 15/UQ"));

    // The rating: once, with a level.
    let rate = format!("/ho-so/{code}/danh-gia");
    let r = clerk
        .post_form(&rate, &show, &[("level", ""), ("comment", "")])
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, page) = clerk.get_text(&show).await;
    assert!(page.contains("Chọn mức độ hài lòng."));
    let r = clerk
        .post_form(
            &rate,
            &show,
            &[
                ("level", "satisfied"),
                ("comment", "Cán bộ hướng dẫn tận tình"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, page) = clerk.get_text(&show).await;
    assert!(page.contains("Hài lòng") && page.contains("Cán bộ hướng dẫn tận tình"));
    let r = clerk
        .post_form(&rate, &show, &[("level", "dissatisfied")])
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, page) = clerk.get_text(&show).await;
    assert!(page.contains("Hồ sơ này đã được đánh giá."));
    let leader = browser_of(&app, "lanhdao").await;
    let (_, queue) = leader.get_text("/phan-cong").await;
    assert!(
        queue.contains("Hài lòng: <strong>1</strong>"),
        "this month's ratings"
    );
    assert!(queue.contains("Cán bộ hướng dẫn tận tình"));
}

async fn results_go_by_post_and_one_comes_back(app: TestApp) {
    let t = team(&app).await;
    let mut body = valid_body();
    body["return_method"] = json!("postal");
    body["postal_address"] = json!("45 Lê Thánh Tôn, phường Nha Trang, Khánh Hòa");
    let a = ready_dossier(&app, &t, body.clone()).await;
    let b = ready_dossier(&app, &t, body).await;
    let (a_code, b_code) = (
        a["code"].as_str().expect("a").to_string(),
        b["code"].as_str().expect("b").to_string(),
    );
    let clerk = browser_of(&app, "tiepnhan").await;
    let (status, page) = clerk.get_text("/buu-chinh").await;
    assert_eq!(status, 200);
    assert!(page.contains("Kết quả gửi qua bưu chính (2)"));
    let id = |d: &Value| -> String {
        // The form's line ids are the dossiers' ids, taken from the page.
        let marker = "name=\"code_";
        let code = d["code"].as_str().expect("code");
        let at = page.find(&format!("value=\"{code}\"")).expect("line");
        let start = page[..at].rfind(&marker).expect("field") + marker.len();
        page[start..].split('"').next().expect("id").to_string()
    };
    let (a_id, b_id) = (id(&a), id(&b));
    let (a_v, b_v) = (a["version"].to_string(), b["version"].to_string());
    let mut fields = vec![
        ("pick".to_string(), a_id.clone()),
        ("pick".to_string(), b_id.clone()),
        (format!("code_{a_id}"), a_code.clone()),
        (format!("code_{b_id}"), b_code.clone()),
        (format!("version_{a_id}"), a_v),
        (format!("version_{b_id}"), b_v),
        (format!("tracking_{a_id}"), "EB100001VN".to_string()),
        (format!("tracking_{b_id}"), String::new()),
        (format!("postage_{a_id}"), "25.000".to_string()),
        (format!("postage_{b_id}"), "25000".to_string()),
        ("postal_worker".to_string(), "Phạm Văn Bưu".to_string()),
    ];
    let r = clerk
        .post_form("/buu-chinh/gui", "/buu-chinh", &as_refs(&fields))
        .await;
    assert_eq!(r.status().as_u16(), 422, "a line without tracking number");
    assert!(r
        .text()
        .await
        .expect("body")
        .contains("Nhập số hiệu bưu gửi."));
    assert_eq!(
        dossier(&app, &t.leader, &a_code).await["status"],
        "result_ready",
        "nothing shipped"
    );
    // The same tracking number twice on one list is refused.
    fields[7].1 = "EB100001VN".into();
    let r = clerk
        .post_form("/buu-chinh/gui", "/buu-chinh", &as_refs(&fields))
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let body = r.text().await.expect("body");
    assert!(body.contains("đã ghi cho một kết quả khác"));
    assert!(body.contains("checked"), "ticks are kept");
    fields[7].1 = "EB100002VN".into();
    let r = clerk
        .post_form("/buu-chinh/gui", "/buu-chinh", &as_refs(&fields))
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let list = location(&r);
    let (status, print) = clerk.get_text(&list).await;
    assert_eq!(status, 200);
    assert!(print.contains("EB100001VN") && print.contains("EB100002VN"));
    assert!(print.contains("50.000 đ"), "total postage");
    assert!(print.contains("Phạm Văn Bưu"));
    let a_now = dossier(&app, &t.leader, &a_code).await;
    assert_eq!(a_now["status"], "in_transit");
    assert_eq!(a_now["tracking_number"], "EB100001VN");
    assert_eq!(a_now["postage"], 25000);

    // A malformed file: every bad line said, nothing imported.
    let upload = |content: &'static str| {
        let clerk = &clerk;
        async move {
            let token = clerk.csrf("/buu-chinh").await;
            let form = reqwest::multipart::Form::new()
                .text("csrf_token", token)
                .part(
                    "file",
                    reqwest::multipart::Part::bytes(content.as_bytes().to_vec())
                        .file_name("ketqua.csv"),
                );
            clerk
                .client
                .post(clerk.url("/buu-chinh/ket-qua-phat"))
                .multipart(form)
                .send()
                .await
                .expect("POST")
        }
    };
    let r = upload("Số hiệu,Kết quả,Ngày phát,Ghi chú\nEB100001VN,Đã phát,26/11/2026,\nEB999999VN,Đã phát,26/11/2026,\nEB100002VN,thất lạc,,\n").await;
    assert_eq!(r.status().as_u16(), 422);
    let body = r.text().await.expect("body");
    assert!(body.contains("Dòng 4: kết quả"), "bad outcome line");
    let r = upload("Số hiệu,Kết quả,Ngày phát,Ghi chú\nEB100001VN,Đã phát,26/11/2026,\nEB999999VN,Đã phát,26/11/2026,\n").await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(r
        .text()
        .await
        .expect("body")
        .contains("Dòng 3: không có kết quả đang chuyển phát với số hiệu EB999999VN"));
    assert_eq!(
        dossier(&app, &t.leader, &a_code).await["status"],
        "in_transit",
        "nothing half-imported"
    );

    // The real file: one delivered, one returned to sender.
    let r = upload("\u{feff}Số hiệu;Kết quả;Ngày phát;Ghi chú\nEB100001VN;Đã phát;;\nEB100002VN;Chuyển hoàn;;Phát 2 lần không gặp người nhận\n").await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, page) = clerk.get_text("/buu-chinh").await;
    assert!(page.contains("1 đã phát, 1 chuyển hoàn"));
    let a_now = dossier(&app, &t.leader, &a_code).await;
    assert_eq!(a_now["status"], "delivered");
    assert!(a_now["delivered_at"].as_str().is_some());
    let b_now = dossier(&app, &t.leader, &b_code).await;
    assert_eq!(b_now["status"], "result_ready", "back at the counter");
    assert_eq!(b_now["postal_returns"], 1);
    assert_eq!(b_now["timeliness"], b["timeliness"], "timeliness stays");
    // The signed list still shows both lines; the letter back is not offered for posting.
    let (_, print) = clerk.get_text(&list).await;
    assert!(print.contains("EB100002VN") && print.contains("50.000 đ"));
    let (_, postal) = clerk.get_text("/buu-chinh").await;
    assert!(postal.contains("Kết quả gửi qua bưu chính (0)"));
    let (_, counter) = clerk.get_text("/tra-ket-qua").await;
    assert!(counter.contains(&b_code) && counter.contains("bưu chính chuyển hoàn"));
    // Collected at the counter by the applicant himself, through the API.
    let (s, e) = act(
        &app,
        &t.reception,
        &b_code,
        json!({"action": "postal_delivered"}),
    )
    .await;
    assert_eq!(s, 409, "not in transit any more: {e}");
    let (s, d) = act(&app, &t.reception, &b_code, json!({"action": "deliver_at_counter", "recipient_name": "Nguyễn Văn An", "recipient_id_number": "056090001234"})).await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(d["status"], "delivered");
    let actions: Vec<&str> = d["history"]
        .as_array()
        .expect("h")
        .iter()
        .map(|h| h["action"].as_str().expect("a"))
        .collect();
    assert!(
        actions.ends_with(&["ship_by_post", "postal_undelivered", "deliver_at_counter"]),
        "{actions:?}"
    );
}

async fn postal_intake_records_set_the_reception_time(app: TestApp) {
    let _ = team(&app).await;
    let clerk = browser_of(&app, "tiepnhan").await;
    let r = clerk
        .post_form(
            "/buu-chinh/nhan",
            "/buu-chinh",
            &[
                ("record_number", ""),
                ("signed_at", "hôm qua"),
                ("postal_worker", ""),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let body = r.text().await.expect("body");
    assert!(
        body.contains("Nhập số biên bản giao nhận.") && body.contains("ví dụ 25/11/2026 09:30")
    );
    let r = clerk
        .post_form(
            "/buu-chinh/nhan",
            "/buu-chinh",
            &[
                ("record_number", "BB-0042"),
                ("signed_at", "24/11/2026 09:15"),
                ("postal_worker", "Phạm Văn Bưu"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let next = location(&r);
    assert!(next.starts_with("/tiep-nhan?lo="), "{next}");
    let (_, audit) = app.get_text("/admin/audit").await;
    assert!(
        audit.contains("Biên bản giao nhận bưu chính số BB-0042"),
        "audited"
    );
    let lo = next.trim_start_matches("/tiep-nhan?lo=").to_string();
    let (_, form) = clerk
        .get_text(&format!("/tiep-nhan/moi?thu_tuc=THADS-YCTHA&lo={lo}"))
        .await;
    assert!(form.contains("biên bản giao nhận bưu chính số <strong>BB-0042</strong>"));
    let csrf = crate::helpers::csrf_of(&form);
    let r = clerk
        .client
        .post(clerk.url("/tiep-nhan/moi"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("procedure_code", "THADS-YCTHA"),
            ("submission_id", "intake-1"),
            ("intake", lo.as_str()),
            ("channel", "postal"),
            ("postal_slip", "RR123456789VN"),
            ("postmarked_on", "22/11/2026"),
            ("applicant_kind", "person"),
            ("full_name", "Lê Thị Cúc"),
            ("id_number", "056190002222"),
            ("phone", "0905222333"),
            ("address", "8 Yersin, Nha Trang"),
            ("return_method", "counter"),
            ("sets", "1"),
            ("doc_0", "on"),
            ("doc_0_count", "1"),
            ("doc_1", "on"),
            ("doc_1_count", "1"),
            ("outcome", "accept"),
        ])
        .send()
        .await
        .expect("POST");
    assert_eq!(r.status().as_u16(), 303);
    let done = location(&r);
    let code = done
        .trim_start_matches("/ho-so/")
        .trim_end_matches("/da-tiep-nhan")
        .to_string();
    assert!(
        code.contains("-261124-"),
        "the code carries the signing day: {code}"
    );
    let (_, confirm) = clerk.get_text(&done).await;
    assert!(
        confirm.contains(&format!("/tiep-nhan?lo={lo}")),
        "next dossier of the record"
    );
    let (_, intake) = clerk.get_text(&format!("/buu-chinh/nhan/{lo}")).await;
    assert!(intake.contains(&code) && intake.contains("RR123456789VN"));
    let (_, show) = clerk.get_text(&format!("/ho-so/{code}")).await;
    assert!(
        show.contains("24/11/2026 09:15"),
        "received when the record was signed"
    );
    assert!(show.contains("BB-0042") && show.contains("22/11/2026"));
    // The same record number twice is refused.
    let r = clerk
        .post_form(
            "/buu-chinh/nhan",
            "/buu-chinh",
            &[
                ("record_number", "BB-0042"),
                ("signed_at", "24/11/2026 10:00"),
                ("postal_worker", "Phạm Văn Bưu"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(r
        .text()
        .await
        .expect("body")
        .contains("Biên bản số BB-0042 đã được ghi nhận."));
}
