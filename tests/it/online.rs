//! Online filing and feedback: a citizen files with scans (the page and the
//! API); the clerk accepts, asks for a supplement (uploaded from the status
//! page and through the API) or refuses; bad uploads leave no file and no
//! row; stored files reach their office's staff only; feedback goes from the
//! form to a published answer.

use std::io::Write;

use reqwest::multipart::{Form, Part};
use serde_json::{json, Value};

use crate::helpers::{count_sql, csrf_of, TestApp};
use crate::on_both_backends;
use crate::processing::team;

on_both_backends!(
    citizens_file_online_and_the_clerk_accepts_asks_for_more_or_refuses,
    bad_uploads_leave_nothing_behind,
    stored_files_reach_their_office_staff_only,
    feedback_goes_from_the_form_to_a_published_answer,
);

const PASSWORD: &str = "xu-ly-ho-so-2026";
const PROCEDURE: &str = "THADS-YCTHA";

/// A one-page PDF with a correct cross-reference table.
pub fn tiny_pdf() -> Vec<u8> {
    let objs = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objs.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objs.len() + 1).as_bytes());
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objs.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// A PNG with its header and end chunks.
pub fn tiny_png() -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend_from_slice(&[
        0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0, 0x90, 0x77, 0x53, 0xDE,
    ]);
    png.extend_from_slice(
        b"\0\0\0\x0cIDAT\x08\xd7\x63\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\x18\xdd\x8d\xb0",
    );
    png.extend_from_slice(b"\0\0\0\0IEND\xAE\x42\x60\x82");
    png
}

/// (stored files, submissions) in the database.
pub fn counts(database_url: &str) -> (i64, i64) {
    let db = motcua::db::Db::connect(database_url).expect("db");
    let mut conn = db.get().expect("conn");
    (
        motcua::db::files::StoredFile::count(&mut conn).expect("files"),
        motcua::db::submissions::Submission::count(&mut conn).expect("submissions"),
    )
}

fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let at = html
        .find(start)
        .unwrap_or_else(|| panic!("{start} in page"))
        + start.len();
    &html[at..at + html[at..].find(end).expect("end")]
}

/// The online form's CSRF token and one-time key.
async fn open_form(citizen: &TestApp) -> (String, String) {
    let (status, page) = citizen
        .get_text(&format!("/nop-truc-tuyen/{PROCEDURE}"))
        .await;
    assert_eq!(status, 200);
    (
        csrf_of(&page),
        between(&page, "name=\"form_key\" value=\"", "\"").to_string(),
    )
}

fn applicant_form(csrf: &str, key: &str) -> Form {
    Form::new()
        .text("csrf_token", csrf.to_string())
        .text("form_key", key.to_string())
        .text("applicant_kind", "person")
        .text("full_name", "Nguyễn Văn An")
        .text("id_number", "056090001234")
        .text("phone", "0912 345 678")
        .text("email", "an.nguyen@example.vn")
        .text("address", "12 Trần Phú, phường Nha Trang, Khánh Hòa")
        .text("return_method", "counter")
}

fn file(name: &str, bytes: Vec<u8>) -> Part {
    Part::bytes(bytes).file_name(name.to_string())
}

async fn send_form(citizen: &TestApp, form: Form) -> reqwest::Response {
    citizen
        .client
        .post(citizen.url(&format!("/nop-truc-tuyen/{PROCEDURE}")))
        .multipart(form)
        .send()
        .await
        .expect("POST online form")
}

fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .expect("location")
        .to_str()
        .unwrap()
        .to_string()
}

/// Files a submission through the API; returns its JSON.
pub async fn api_submission(app: &TestApp) -> Value {
    let body = json!({
        "procedure_code": PROCEDURE,
        "applicant": {
            "full_name": "Trần Thị Bình",
            "id_number": "056190005678",
            "phone": "0905 111 678",
            "email": "binh.tran@example.vn",
            "address": "5 Yersin, phường Nha Trang, Khánh Hòa"
        },
        "documents": [
            {"name": "Đơn yêu cầu thi hành án", "form": "original", "count": 1, "file": "don"},
            {"name": "Bản án, quyết định được yêu cầu thi hành", "form": "copy", "count": 1, "file": "ban-an"}
        ],
        "return_method": "counter"
    });
    let form = Form::new()
        .text("submission", body.to_string())
        .part("don", file("don.pdf", tiny_pdf()))
        .part("ban-an", file("ban-an.png", tiny_png()));
    let r = app
        .client
        .post(app.url("/api/v1/submissions"))
        .multipart(form)
        .send()
        .await
        .expect("POST submissions");
    let status = r.status().as_u16();
    let v: Value = r.json().await.expect("json");
    assert_eq!(status, 201, "{v}");
    assert_eq!(v["status"], "submitted");
    assert_eq!(v["status_label"], "Mới đăng ký, chờ tiếp nhận");
    assert!(v["code"].as_str().unwrap().starts_with("DK-"));
    v
}

async fn staff(app: &TestApp, username: &str) -> TestApp {
    let c = app.other_browser();
    let r = c.login(username, PASSWORD).await;
    assert_eq!(r.status().as_u16(), 303, "{username} signs in");
    c
}

/// The clerk's decision on a submission; returns the response.
async fn decide(clerk: &TestApp, code: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let (_, page) = clerk.get_text(&format!("/truc-tuyen/{code}")).await;
    let version = between(&page, "name=\"version\" value=\"", "\"").to_string();
    let mut all = fields.to_vec();
    all.push(("version", &version));
    clerk
        .post_form(
            &format!("/truc-tuyen/{code}"),
            &format!("/truc-tuyen/{code}"),
            &all,
        )
        .await
}

async fn lookup(app: &TestApp, code: &str, verifier: &str) -> (u16, Value) {
    let r = app
        .client
        .post(app.url("/api/v1/lookup"))
        .json(&json!({"code": code, "verifier": verifier}))
        .send()
        .await
        .expect("lookup");
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

fn token_of(v: &Value) -> String {
    v["lookup_url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string()
}

async fn citizens_file_online_and_the_clerk_accepts_asks_for_more_or_refuses(app: TestApp) {
    let t = team(&app).await;
    let citizen = app.other_browser();
    let (_, list) = citizen.get_text("/nop-truc-tuyen").await;
    assert!(
        list.contains(&format!("/nop-truc-tuyen/{PROCEDURE}")),
        "{list}"
    );
    let (_, catalog) = citizen.get_text(&format!("/thu-tuc/{PROCEDURE}")).await;
    assert!(
        catalog.contains("id=\"submit-online\""),
        "catalog links the form"
    );

    // The page: two scans, then the confirmation with the code.
    let (csrf, key) = open_form(&citizen).await;
    let form = applicant_form(&csrf, &key)
        .part("doc_0_file", file("Đơn yêu cầu.pdf", tiny_pdf()))
        .part("doc_1_file", file("ban-an.png", tiny_png()));
    let r = send_form(&citizen, form).await;
    assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap());
    let done = location(&r);
    assert!(done.starts_with("/nop-truc-tuyen/da-nop/"), "{done}");
    // The same form sent twice is one submission.
    let again = send_form(
        &citizen,
        applicant_form(&csrf, &key)
            .part("doc_0_file", file("a.pdf", tiny_pdf()))
            .part("doc_1_file", file("b.png", tiny_png())),
    )
    .await;
    assert_eq!(location(&again), done, "a double submit finds the first");
    assert_eq!(counts(&app.database_url), (2, 1));
    let (_, page) = citizen.get_text(&done).await;
    let code = between(&page, "id=\"submission-code\">", "<")
        .trim()
        .to_string();
    assert!(code.starts_with("DK-"), "{code}");
    assert!(page.contains("Mới đăng ký, chờ tiếp nhận"));
    let token = done.rsplit('/').next().unwrap().to_string();
    let (status, page) = citizen.get_text(&format!("/tra-cuu/{token}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("Mới đăng ký, chờ tiếp nhận"), "{page}");
    assert!(!page.contains("Nguyễn Văn An") && !page.contains("056090001234"));
    let (s, v) = lookup(&app, &code, "5678").await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["status"], "submitted");
    assert_eq!(lookup(&app, &code, "0000").await.0, 404);

    // The clerk's queue, oldest first, and the files opened in the browser.
    let clerk = staff(&app, "tiepnhan").await;
    let (_, queue) = clerk.get_text("/truc-tuyen").await;
    assert!(queue.contains(&code), "{queue}");
    let (_, detail) = clerk.get_text(&format!("/truc-tuyen/{code}")).await;
    let href = between(&detail, "<a href=\"/tep/", "\"").to_string();
    let f = clerk.get(&format!("/tep/{href}")).await;
    assert_eq!(f.status().as_u16(), 200);
    assert_eq!(f.headers()["content-type"], "application/pdf");
    let disposition = f.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(disposition.starts_with("inline"), "{disposition}");
    assert!(disposition.contains("filename*=UTF-8''"), "{disposition}");
    assert_eq!(f.headers()["x-content-type-options"], "nosniff");
    assert_eq!(f.bytes().await.unwrap().to_vec(), tiny_pdf());

    // Outcome 1: accepted; the dossier has its code, due date and files.
    let r = decide(&clerk, &code, &[("action", "accept")]).await;
    assert_eq!(r.status().as_u16(), 303);
    let to = location(&r);
    assert!(to.ends_with("/da-tiep-nhan"), "{to}");
    let (s, v) = lookup(&app, &code, "5678").await;
    assert_eq!(s, 200);
    assert_eq!(v["status"], "received", "{v}");
    let dossier_code = v["code"].as_str().unwrap().to_string();
    assert!(!dossier_code.starts_with("DK-"));
    assert!(v["due_date"].is_string());
    let d = crate::processing::dossier(&app, &t.reception, &dossier_code).await;
    assert_eq!(d["channel"], "online", "{d}");
    assert_eq!(d["history"][0]["action"], "accept_online", "{d}");
    assert_eq!(d["history"][0]["from"], "submitted", "{d}");
    let (_, page) = clerk.get_text(&format!("/ho-so/{dossier_code}")).await;
    assert_eq!(page.matches("href=\"/tep/").count(), 2, "both scans kept");
    // A second decision on the same submission is refused.
    let (_, detail) = clerk.get_text(&format!("/truc-tuyen/{code}")).await;
    assert!(!detail.contains("name=\"action\" value=\"accept\""));

    // Outcome 2: a supplement, uploaded from the status page.
    let sub = api_submission(&app).await;
    let code2 = sub["code"].as_str().unwrap().to_string();
    let token2 = token_of(&sub);
    let r = decide(
        &clerk,
        &code2,
        &[("action", "supplement"), ("missing_0_name", "")],
    )
    .await;
    assert_eq!(r.status().as_u16(), 422, "nothing asked for");
    let r = decide(
        &clerk,
        &code2,
        &[
            ("action", "supplement"),
            ("missing_0_name", "Bản án, quyết định được yêu cầu thi hành"),
            ("missing_0_form", "certified_copy"),
            ("note", "Cần bản sao có chứng thực"),
        ],
    )
    .await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, status_page) = citizen.get_text(&format!("/tra-cuu/{token2}")).await;
    assert!(
        status_page.contains("id=\"supplement-upload\""),
        "{status_page}"
    );
    assert!(status_page.contains("Cần bổ sung"));
    let csrf = csrf_of(&status_page);
    // A wrong file comes back with a message; nothing stored.
    let before = counts(&app.database_url);
    let r = citizen
        .client
        .post(citizen.url(&format!("/tra-cuu/{token2}/bo-sung")))
        .multipart(
            Form::new()
                .text("csrf_token", csrf.clone())
                .part("file.0", file("ban-an.pdf", b"not a scan at all".to_vec())),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 422);
    assert!(r.text().await.unwrap().contains("documents.0.file-error"));
    assert_eq!(counts(&app.database_url), before);
    let r = citizen
        .client
        .post(citizen.url(&format!("/tra-cuu/{token2}/bo-sung")))
        .multipart(
            Form::new()
                .text("csrf_token", csrf)
                .part("file.0", file("ban-an-chung-thuc.pdf", tiny_pdf())),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    let (_, queue) = clerk.get_text("/truc-tuyen").await;
    assert!(
        queue.contains(&code2) && queue.contains("Đã bổ sung"),
        "{queue}"
    );
    let r = decide(&clerk, &code2, &[("action", "accept")]).await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, v) = lookup(&app, &code2, "5678").await;
    let (_, page) = clerk
        .get_text(&format!("/ho-so/{}", v["code"].as_str().unwrap()))
        .await;
    assert_eq!(
        page.matches("href=\"/tep/").count(),
        3,
        "the supplement too"
    );

    // Outcome 3: a supplement through the API, then a refusal with a reason.
    let sub = api_submission(&app).await;
    let code3 = sub["code"].as_str().unwrap().to_string();
    let r = decide(
        &clerk,
        &code3,
        &[
            ("action", "supplement"),
            ("missing_0_name", "Đơn yêu cầu thi hành án"),
            ("missing_0_form", "original"),
        ],
    )
    .await;
    assert_eq!(r.status().as_u16(), 303);
    let upload = |verifier: &str| {
        Form::new()
            .text("verifier", verifier.to_string())
            .part("file.0", file("don.pdf", tiny_pdf()))
    };
    let r = app
        .client
        .post(app.url(&format!("/api/v1/submissions/{code3}/documents")))
        .multipart(upload("0000"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404, "a wrong verifier is a 404");
    let r = app
        .client
        .post(app.url(&format!("/api/v1/submissions/{code3}/documents")))
        .multipart(upload("5678"))
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let v: Value = r.json().await.unwrap();
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["status"], "submitted");
    let r = decide(&clerk, &code3, &[("action", "refuse"), ("reason", "")]).await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(r.text().await.unwrap().contains("id=\"reason-error\""));
    let r = decide(
        &clerk,
        &code3,
        &[
            ("action", "refuse"),
            ("reason", "Bản án chưa có hiệu lực pháp luật"),
        ],
    )
    .await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, v) = lookup(&app, &code3, "5678").await;
    assert_eq!(v["status"], "not_accepted", "{v}");
    let (_, page) = citizen
        .get_text(&format!("/tra-cuu/{}", token_of(&sub)))
        .await;
    assert!(page.contains("Bản án chưa có hiệu lực pháp luật"), "{page}");
    // The citizen was told of each outcome (email and SMS for each news).
    let news = count_sql(
        &app.database_url,
        "SELECT COUNT(*) AS n FROM outbox WHERE event IN ('submitted', 'supplement_requested', 'not_accepted')",
    );
    assert!(news >= 6, "news written: {news}");

    // The period report counts the two supplement requests and the refusal.
    let today = (chrono::Utc::now() + chrono::Duration::hours(7))
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    let r = app
        .client
        .get(app.url(&format!("/api/v1/reports/period?from={today}&to={today}")))
        .bearer_auth(&t.supervisor)
        .send()
        .await
        .unwrap();
    let report: Value = r.json().await.unwrap();
    assert_eq!(report["not_accepted"], 3, "{report}");
    assert_eq!(report["received"]["online"], 2, "{report}");
}

async fn bad_uploads_leave_nothing_behind(app: TestApp) {
    let _ = team(&app).await;
    let citizen = app.other_browser();
    let (csrf, key) = open_form(&citizen).await;
    let pdf = tiny_pdf();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "a program named .pdf",
            b"MZ\x90\x00 an executable".to_vec(),
            "không phải",
        ),
        ("a broken PDF", pdf[..pdf.len() / 2].to_vec(), "hỏng"),
        (
            "an oversized file",
            {
                let mut big = b"%PDF-1.4\n".to_vec();
                big.resize(10 * 1024 * 1024 + 1, b' ');
                big
            },
            "lớn hơn 10 MiB",
        ),
    ];
    for (what, bytes, message) in cases {
        let form = applicant_form(&csrf, &key)
            .part("doc_0_file", file("don.pdf", bytes))
            .part("doc_1_file", file("ban-an.png", tiny_png()));
        let r = send_form(&citizen, form).await;
        assert_eq!(r.status().as_u16(), 422, "{what}");
        let page = r.text().await.unwrap();
        let error = between(&page, "id=\"doc_0_file-error\">", "</p>");
        assert!(error.contains(message), "{what}: {error}");
        assert!(
            page.contains("value=\"Nguyễn Văn An\""),
            "{what}: typed values kept"
        );
        assert!(page.contains("id=\"choose-again\""), "{what}");
        assert_eq!(counts(&app.database_url), (0, 0), "{what}");
    }
    // A required document without its scan.
    let form = applicant_form(&csrf, &key).part("doc_0_file", file("don.pdf", tiny_pdf()));
    let r = send_form(&citizen, form).await;
    assert_eq!(r.status().as_u16(), 422);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("id=\"doc_1_file-error\""),
        "missing required scan"
    );
    // Bad applicant data, beside its field.
    let form = applicant_form(&csrf, &key)
        .text("phone", "12")
        .part("doc_0_file", file("don.pdf", tiny_pdf()))
        .part("doc_1_file", file("ban-an.png", tiny_png()));
    let r = send_form(&citizen, form).await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(r.text().await.unwrap().contains("id=\"phone-error\""));
    assert_eq!(counts(&app.database_url), (0, 0));

    // The API: 422 naming the file, 413 past the limit, 422 for a
    // procedure that does not take online submissions.
    let body = |procedure: &str| {
        json!({
            "procedure_code": procedure,
            "applicant": {"full_name": "Lê Văn Cường", "id_number": "056090009999", "phone": "0912000111", "address": "Nha Trang"},
            "documents": [
                {"name": "Đơn yêu cầu thi hành án", "form": "original", "count": 1, "file": "a"},
                {"name": "Bản án, quyết định được yêu cầu thi hành", "form": "copy", "count": 1, "file": "b"}
            ]
        })
        .to_string()
    };
    let send = |form: Form| {
        app.client
            .post(app.url("/api/v1/submissions"))
            .multipart(form)
            .send()
    };
    let r = send(
        Form::new()
            .text("submission", body(PROCEDURE))
            .part("a", file("a.pdf", b"<html>not a scan</html>".to_vec()))
            .part("b", file("b.png", tiny_png())),
    )
    .await
    .unwrap();
    assert_eq!(r.status().as_u16(), 422);
    let v: Value = r.json().await.unwrap();
    assert!(v["fields"]["documents.0.file"].is_string(), "{v}");
    let mut big = b"%PDF-1.4\n".to_vec();
    big.resize(10 * 1024 * 1024 + 1, b' ');
    let r = send(
        Form::new()
            .text("submission", body(PROCEDURE))
            .part("a", file("a.pdf", big))
            .part("b", file("b.png", tiny_png())),
    )
    .await
    .unwrap();
    assert_eq!(r.status().as_u16(), 413);
    let r = send(
        Form::new()
            .text(
                "submission",
                body(PROCEDURE).replace("Lê Văn Cường", "Lê\\u0000Văn"),
            )
            .part("a", file("a.pdf", tiny_pdf()))
            .part("b", file("b.png", tiny_png())),
    )
    .await
    .unwrap();
    assert_eq!(r.status().as_u16(), 422, "a NUL in the JSON part");
    let v: Value = r.json().await.unwrap();
    assert!(v["fields"]["applicant.full_name"].is_string(), "{v}");
    let r = send_form(
        &citizen,
        applicant_form(&csrf, &key)
            .text("address", "Nha Trang\0")
            .part("doc_0_file", file("don.pdf", tiny_pdf())),
    )
    .await;
    assert_eq!(r.status().as_u16(), 400, "a NUL in a form field");
    let r = send(Form::new().text("submission", "{not json"))
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert_eq!(counts(&app.database_url), (0, 0));

    // A dropped connection mid-upload: nothing is stored, others go on.
    let address = app.address.trim_start_matches("http://").to_string();
    let boundary = "XyZzY";
    let head = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"submission\"\r\n\r\n{}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"a\"; filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n",
        body(PROCEDURE)
    );
    let mut stream = std::net::TcpStream::connect(&address).expect("connect");
    write!(
        stream,
        "POST /api/v1/submissions HTTP/1.1\r\nHost: {address}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\n\r\n{head}",
        head.len() + 5_000_000
    )
    .unwrap();
    stream.write_all(&vec![b' '; 200_000]).unwrap();
    stream.flush().unwrap();
    drop(stream);
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(counts(&app.database_url), (0, 0));
    let (status, _) = citizen.get_text("/nop-truc-tuyen").await;
    assert_eq!(status, 200, "the app goes on");
    // A procedure without the online channel is refused.
    let (s, _) = citizen.get_text("/nop-truc-tuyen/KHONG-CO").await;
    assert_eq!(s, 404);
}

async fn stored_files_reach_their_office_staff_only(app: TestApp) {
    let t = team(&app).await;
    let _ = crate::hardening::branch(&app).await;
    let sub = api_submission(&app).await;
    let code = sub["code"].as_str().unwrap();
    let clerk = staff(&app, "tiepnhan").await;
    let (_, detail) = clerk.get_text(&format!("/truc-tuyen/{code}")).await;
    let href = format!("/tep/{}", between(&detail, "<a href=\"/tep/", "\""));
    assert_eq!(clerk.get(&href).await.status().as_u16(), 200);
    // Anonymous: to the sign-in page; another office's clerk: not found.
    let anonymous = app.other_browser();
    let r = anonymous.get(&href).await;
    assert_eq!(r.status().as_u16(), 303);
    assert!(location(&r).starts_with("/login"));
    let branch = staff(&app, "tn.kv1").await;
    assert_eq!(branch.get(&href).await.status().as_u16(), 404);
    let (s, _) = branch.get_text(&format!("/truc-tuyen/{code}")).await;
    assert_eq!(s, 404, "nor the submission");
    // A guessed token is the same 404.
    assert_eq!(
        clerk
            .get("/tep/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
            .await
            .status()
            .as_u16(),
        404
    );
    // The administrator does not read citizens' scans.
    assert_eq!(app.get(&href).await.status().as_u16(), 404);

    // A scan attached to a paper dossier at the counter, and the result's
    // scan by the officer: the same storage, in the dossier's history.
    let d = crate::processing::new_dossier(&app, &t, crate::dossiers_api::valid_body()).await;
    let dcode = d["code"].as_str().unwrap().to_string();
    let (_, page) = clerk.get_text(&format!("/ho-so/{dcode}")).await;
    let csrf = csrf_of(&page);
    let attach = |c: &TestApp, kind: &str, bytes: Vec<u8>, csrf: String| {
        c.client
            .post(c.url(&format!("/ho-so/{dcode}/tep")))
            .multipart(
                Form::new()
                    .text("csrf_token", csrf)
                    .text("kind", kind.to_string())
                    .text("name", "Đơn yêu cầu thi hành án")
                    .part("file", file("don.pdf", bytes)),
            )
            .send()
    };
    let r = attach(&clerk, "document", tiny_pdf(), csrf.clone())
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    let r = attach(&clerk, "document", b"GIF89a".to_vec(), csrf)
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303, "refused with a message");
    let officer = staff(&app, "chuyenvien").await;
    let (_, page) = officer.get_text(&format!("/ho-so/{dcode}")).await;
    let r = attach(&officer, "result", tiny_pdf(), csrf_of(&page))
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    let (_, page) = clerk.get_text(&format!("/ho-so/{dcode}")).await;
    assert_eq!(page.matches("href=\"/tep/").count(), 2, "{page}");
    assert!(page.contains("Bản quét kết quả giải quyết"));
    assert!(page.contains("Đính kèm bản quét"));
}

async fn feedback_goes_from_the_form_to_a_published_answer(app: TestApp) {
    let t = team(&app).await;
    let citizen = app.other_browser();
    let (_, page) = citizen.get_text("/phan-anh").await;
    let csrf = csrf_of(&page);
    let fields = |website: &str| {
        vec![
            ("csrf_token", csrf.clone()),
            ("topic", "Tiến độ giải quyết hồ sơ".to_string()),
            ("content", "Hồ sơ của tôi đã quá hạn hai ngày.".to_string()),
            ("contact_name", "Phạm Thị Dung".to_string()),
            ("contact_phone", "0905 222 333".to_string()),
            ("contact_email", "dung.pham@example.vn".to_string()),
            ("publish_consent", "1".to_string()),
            ("website", website.to_string()),
        ]
    };
    let post = |f: Vec<(&'static str, String)>| {
        citizen
            .client
            .post(citizen.url("/phan-anh"))
            .form(&f)
            .send()
    };
    // Too fast for a person: the form comes back with what was typed.
    let r = post(fields("")).await.unwrap();
    assert_eq!(r.status().as_u16(), 422);
    let page = r.text().await.unwrap();
    assert!(page.contains("id=\"problem\""));
    assert!(page.contains("Hồ sơ của tôi đã quá hạn hai ngày."));
    tokio::time::sleep(std::time::Duration::from_millis(3200)).await;
    // The hidden field filled in: thanked, nothing kept.
    let r = post(fields("http://spam.example")).await.unwrap();
    assert_eq!(r.status().as_u16(), 303);
    let feedback = |db: &str| count_sql(db, "SELECT COUNT(*) AS n FROM feedback");
    assert_eq!(feedback(&app.database_url), 0);
    // A person: received.
    let r = post(fields("")).await.unwrap();
    assert_eq!(r.status().as_u16(), 303);
    assert!(location(&r).starts_with("/phan-anh/da-gui?ma="));
    assert_eq!(feedback(&app.database_url), 1);

    // Through the API: checked, then received.
    let api = |body: Value| {
        app.client
            .post(app.url("/api/v1/feedback"))
            .json(&body)
            .send()
    };
    let r = api(json!({"topic": "", "content": ""})).await.unwrap();
    assert_eq!(r.status().as_u16(), 422);
    let v: Value = r.json().await.unwrap();
    assert!(
        v["fields"]["topic"].is_string() && v["fields"]["content"].is_string(),
        "{v}"
    );
    let r = api(json!({"topic": "Thái độ phục vụ", "content": "Cán bộ hướng dẫn tận tình.", "dossier_code": null, "contact": null, "publish_consent": false}))
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["status"], "received");

    // A hotline call logged by the counter; the list by state and age.
    let clerk = staff(&app, "tiepnhan").await;
    let r = clerk
        .post_form(
            "/phan-anh/quan-ly",
            "/phan-anh/quan-ly",
            &[
                ("topic", "Thủ tục hành chính"),
                ("content", "Người gọi hỏi thời hạn giải quyết."),
                ("contact_phone", "0912 000 999"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, list) = clerk.get_text("/phan-anh/quan-ly").await;
    assert!(list.contains("Đường dây nóng"), "{list}");
    assert_eq!(
        list.matches("href=\"/phan-anh/quan-ly/").count(),
        3,
        "{list}"
    );
    let first = between(&list, "href=\"/phan-anh/quan-ly/", "\"").to_string();
    // Assigned to an officer, who answers.
    let r = clerk
        .post_form(
            &format!("/phan-anh/quan-ly/{first}"),
            &format!("/phan-anh/quan-ly/{first}"),
            &[("action", "assign"), ("officer", "chuyenvien")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let officer = staff(&app, "chuyenvien").await;
    let r = officer
        .post_form(
            &format!("/phan-anh/quan-ly/{first}"),
            &format!("/phan-anh/quan-ly/{first}"),
            &[("action", "answer"), ("answer", "")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422, "an empty answer");
    let r = officer
        .post_form(
            &format!("/phan-anh/quan-ly/{first}"),
            &format!("/phan-anh/quan-ly/{first}"),
            &[
                ("action", "answer"),
                ("answer", "Hồ sơ đã có kết quả; mời Bà đến nhận."),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, page) = officer
        .get_text(&format!("/phan-anh/quan-ly/{first}"))
        .await;
    assert!(page.contains("Đã trả lời"), "{page}");
    assert_eq!(
        count_sql(
            &app.database_url,
            "SELECT COUNT(*) AS n FROM outbox WHERE event = 'feedback_answered' AND recipient = 'dung.pham@example.vn'"
        ),
        1,
        "the answer goes by email"
    );
    // The officer does not close; the counter does.
    let r = officer
        .post_form(
            &format!("/phan-anh/quan-ly/{first}"),
            &format!("/phan-anh/quan-ly/{first}"),
            &[("action", "close")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 403);
    let r = clerk
        .post_form(
            &format!("/phan-anh/quan-ly/{first}"),
            &format!("/phan-anh/quan-ly/{first}"),
            &[("action", "close")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);

    // Published, without personal data.
    let r = app.get("/api/v1/feedback/public?page=1").await;
    assert_eq!(r.status().as_u16(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["items"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!(
        v["items"][0]["answer"],
        "Hồ sơ đã có kết quả; mời Bà đến nhận."
    );
    let text = v.to_string();
    let (_, page) = citizen.get_text("/phan-anh/tra-loi").await;
    assert!(page.contains("Hồ sơ đã có kết quả; mời Bà đến nhận."));
    for personal in ["Phạm Thị Dung", "0905", "dung.pham"] {
        assert!(
            !text.contains(personal) && !page.contains(personal),
            "{personal}"
        );
    }

    // The period report counts them.
    let today = (chrono::Utc::now() + chrono::Duration::hours(7))
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    let r = app
        .client
        .get(app.url(&format!("/api/v1/reports/period?from={today}&to={today}")))
        .bearer_auth(&t.supervisor)
        .send()
        .await
        .unwrap();
    let report: Value = r.json().await.unwrap();
    assert_eq!(report["feedback"]["received"], 3, "{report}");
    assert_eq!(report["feedback"]["answered"], 1, "{report}");

    // Five an hour from one address.
    let mut last = 0;
    for _ in 0..5 {
        last = api(json!({"topic": "Khác", "content": "Thử giới hạn."}))
            .await
            .unwrap()
            .status()
            .as_u16();
    }
    assert_eq!(last, 429);
}
