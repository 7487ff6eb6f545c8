//! Citizens: the front door, the lookup by code and verifier (right, wrong,
//! unknown, rate-limited, no personal data), and news by email and SMS
//! through the outbox, sent to a real SMTP server and an HTTP SMS gateway
//! started by the test.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::dossiers_api::valid_body;
use crate::helpers::{spawn_with, start, test_config, Backend, TestApp};
use crate::on_both_backends;
use crate::processing::{act, apologise, ask_for_supplement, new_dossier, team};

on_both_backends!(
    the_front_door_and_the_lookup_show_status_without_personal_data,
    lookups_are_limited_per_code_and_per_address,
);

/// The applicant's personal data in `valid_body()`: none may appear.
const PERSONAL: [&str; 7] = [
    "Nguyễn Văn An",
    "056090001234",
    "0912345678",
    "0912 345 678",
    "an.nguyen@example.vn",
    "12 Trần Phú",
    "Nha Trang, Khánh Hòa",
];

fn assert_no_personal_data(text: &str) {
    for p in PERSONAL {
        assert!(!text.contains(p), "personal data {p:?} shown");
    }
}

/// The seeded office's name, as its edit form shows it (an administrator's client).
pub async fn office_name(app: &TestApp) -> String {
    let (_, page) = app.get_text("/admin/offices/1").await;
    let marker = "id=\"name\" name=\"name\" type=\"text\" value=\"";
    let at = page.find(marker).expect("name field") + marker.len();
    page[at..at + page[at..].find('"').expect("quote")].to_string()
}

/// The administrator gives the seeded office its public contacts.
pub async fn set_contacts(app: &TestApp) {
    let name = office_name(app).await;
    let r = app
        .post_form(
            "/admin/offices/1",
            "/admin/offices/1",
            &[
                ("name", name.as_str()),
                ("parent", ""),
                ("active", "on"),
                ("address", "02 Lê Thánh Tôn, phường Nha Trang"),
                ("phone", "0258 3822 123"),
                ("email", "motcua@thads.example.vn"),
                ("hours", "Thứ Hai đến Thứ Sáu, 7:30–11:30 và 13:30–17:00"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303, "contacts saved");
    // Bad contacts come back beside their field, with what was typed.
    let r = app
        .post_form(
            "/admin/offices/1",
            "/admin/offices/1",
            &[
                ("name", name.as_str()),
                ("parent", ""),
                ("active", "on"),
                ("address", "02 Lê Thánh Tôn"),
                ("phone", "<gọi>"),
                ("email", "khong-phai-email"),
                ("hours", ""),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"phone-error\""), "phone error shown");
    assert!(html.contains("id=\"email-error\""), "email error shown");
    assert!(
        html.contains("value=\"khong-phai-email\""),
        "typed value kept"
    );
}

async fn lookup_page(citizen: &TestApp, code: &str, verifier: &str) -> (u16, String) {
    let csrf = citizen.csrf("/tra-cuu").await;
    let r = citizen
        .client
        .post(citizen.url("/tra-cuu"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("code", code),
            ("verifier", verifier),
        ])
        .send()
        .await
        .expect("POST /tra-cuu");
    (r.status().as_u16(), r.text().await.unwrap_or_default())
}

pub async fn lookup_api(app: &TestApp, code: &str, verifier: &str) -> (u16, Value) {
    let r = app
        .client
        .post(app.url("/api/v1/lookup"))
        .json(&json!({"code": code, "verifier": verifier}))
        .send()
        .await
        .expect("POST lookup");
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

fn token_of_link(d: &Value) -> String {
    let url = d["lookup_url"].as_str().expect("lookup_url");
    url.rsplit('/').next().unwrap().to_string()
}

async fn the_front_door_and_the_lookup_show_status_without_personal_data(app: TestApp) {
    let t = team(&app).await;
    set_contacts(&app).await;
    let d = new_dossier(&app, &t, valid_body()).await;
    let code = d["code"].as_str().unwrap().to_string();
    let citizen = app.other_browser();

    // The front door: contacts, the lookup, the catalog, the staff link.
    let (status, html) = citizen.get_text("/").await;
    assert_eq!(status, 200);
    for s in [
        "02 Lê Thánh Tôn, phường Nha Trang",
        "0258 3822 123",
        "7:30–11:30",
        "action=\"/tra-cuu\"",
        "href=\"/thu-tuc\"",
        "href=\"/login\"",
    ] {
        assert!(html.contains(s), "front door shows {s}");
    }
    // Public pages and public 404s carry the contacts and lead back home.
    for path in ["/thu-tuc", "/tra-cuu", "/khong-co-trang-nay"] {
        let (status, html) = citizen.get_text(path).await;
        assert_eq!(
            status,
            if path == "/khong-co-trang-nay" {
                404
            } else {
                200
            },
            "{path}"
        );
        assert!(html.contains("0258 3822 123"), "{path} shows the hotline");
        assert!(html.contains("href=\"/\""), "{path} leads home");
    }
    // Staff still get their own home.
    let (_, html) = app.get_text("/").await;
    assert!(
        !html.contains("front-hero"),
        "a signed-in user gets the staff home"
    );

    // The right verifier: the phone's or the ID number's last four digits.
    for verifier in ["5678", "1234"] {
        let (status, html) = lookup_page(&citizen, &code.to_lowercase(), verifier).await;
        assert_eq!(status, 200, "{html}");
        assert!(html.contains(&code));
        assert!(html.contains("Yêu cầu thi hành án") || html.contains("thi hành án"));
        assert!(html.contains("Đã tiếp nhận") || html.contains("id=\"status\""));
        assert!(html.contains("02 Lê Thánh Tôn"), "the office's address");
        assert!(html.contains("Hẹn trả kết quả"));
        assert_no_personal_data(&html);
        assert!(
            !html.contains(&format!("value=\"{verifier}\"")),
            "verifier not echoed"
        );
    }
    // Wrong verifier and unknown code: the same answer.
    let (s1, wrong) = lookup_page(&citizen, &code, "0000").await;
    let (s2, unknown) = lookup_page(&citizen, "000.00.00.H00-991231-9999", "5678").await;
    assert_eq!((s1, s2), (404, 404));
    let problem = |h: &str| {
        let start = h.find("id=\"lookup-problem\">").expect("problem shown");
        h[start..start + h[start..].find("</div>").unwrap()].to_string()
    };
    assert_eq!(problem(&wrong), problem(&unknown));
    // Malformed input: a message beside the field, the code kept.
    let (status, html) = lookup_page(&citizen, &code, "12a").await;
    assert_eq!(status, 422);
    assert!(html.contains("id=\"verifier-error\""));
    assert!(html.contains(&format!("value=\"{code}\"")));

    // The API: the same rules, the same JSON shape, no personal data.
    let (status, v) = lookup_api(&app, &code, "5678").await;
    assert_eq!(status, 200, "{v}");
    for key in [
        "code",
        "procedure",
        "status",
        "status_label",
        "received_at",
        "due_date",
        "timeline",
        "next_step",
    ] {
        assert!(v.get(key).is_some(), "{key} in {v}");
    }
    assert_eq!(v["status"], "received");
    assert_eq!(v["due_date"], d["due_date"]);
    assert_eq!(v["timeline"][0]["label"], "Đã tiếp nhận");
    assert_no_personal_data(&v.to_string());
    let (s1, e1) = lookup_api(&app, &code, "9999").await;
    let (s2, e2) = lookup_api(&app, "000.00.00.H00-991231-9999", "5678").await;
    assert_eq!((s1, s2), (404, 404));
    assert_eq!(e1, e2, "unknown code and wrong verifier look the same");
    let (status, e) = lookup_api(&app, &code, "12").await;
    assert_eq!(status, 422);
    assert!(e["fields"]["verifier"].is_string(), "{e}");

    // A supplement request: the missing documents (Mẫu 02), no names.
    ask_for_supplement(&app, &t, &code).await;
    let (status, html) = citizen
        .get_text(&format!("/tra-cuu/{}", token_of_link(&d)))
        .await;
    assert_eq!(status, 200);
    assert!(html.contains("Giấy tờ cần bổ sung"), "{html}");
    assert!(html.contains("Bản án có chứng thực (bản sao có chứng thực): 1 bản"));
    assert_no_personal_data(&html);
    let (s, r) = act(
        &app,
        &t.officer,
        &code,
        json!({"action": "receive_supplement"}),
    )
    .await;
    assert_eq!(s, 200, "{r}");

    // An apology: the new date, the first one and the reason.
    let (due, new_due) = apologise(&app, &t, &code).await;
    let (status, v) = lookup_api(&app, &code, "5678").await;
    assert_eq!(status, 200);
    assert_eq!(v["due_date"], new_due.as_str());
    assert_eq!(v["original_due_date"], due.as_str());
    assert_eq!(v["extension_reason"], "Cần xác minh tài sản tại địa phương");
    let (_, html) = citizen
        .get_text(&format!("/tra-cuu/{}", token_of_link(&d)))
        .await;
    let dmy = |iso: &str| format!("{}/{}/{}", &iso[8..10], &iso[5..7], &iso[0..4]);
    assert!(html.contains(&dmy(&new_due)) && html.contains(&dmy(&due)));
    assert!(html.contains("Cần xác minh tài sản tại địa phương"));
    assert!(html.contains("Hẹn lại ngày trả kết quả"));

    // The receipt prints the short address and the rule under the QR code.
    let clerk = app.other_browser();
    assert_eq!(
        clerk
            .login("tiepnhan", "xu-ly-ho-so-2026")
            .await
            .status()
            .as_u16(),
        303
    );
    let (_, receipt) = clerk.get_text(&format!("/ho-so/{code}/bien-nhan")).await;
    assert!(
        receipt.contains("127.0.0.1:8080/tra-cuu"),
        "short address printed"
    );
    assert!(receipt.contains("4 chữ số cuối của số điện thoại hoặc số CCCD"));
    // The dossier page tells the clerk what the applicant was sent.
    let (_, page) = clerk.get_text(&format!("/ho-so/{code}")).await;
    let news = &page[page.find("id=\"h-news\"").expect("news section")..];
    assert!(
        news.contains("Tiếp nhận hồ sơ") && news.contains("Chờ gửi"),
        "{news}"
    );
    assert!(news.contains("Yêu cầu bổ sung") && news.contains("Xin lỗi, hẹn lại ngày trả"));
}

async fn lookups_are_limited_per_code_and_per_address(app: TestApp) {
    let t = team(&app).await;
    let d = new_dossier(&app, &t, valid_body()).await;
    let code = d["code"].as_str().unwrap().to_string();
    // Ten wrong verifiers for the code in an hour, then 429, even when right.
    for _ in 0..10 {
        assert_eq!(lookup_api(&app, &code, "0001").await.0, 404);
    }
    let (status, e) = lookup_api(&app, &code, "5678").await;
    assert_eq!(status, 429, "{e}");
    assert_eq!(e["error"], "rate_limited");
    assert!(e["message"].as_str().unwrap().contains("quá nhiều lần"));
    let citizen = app.other_browser();
    let (status, html) = lookup_page(&citizen, &code, "5678").await;
    assert_eq!(status, 429);
    assert!(html.contains("quá nhiều lần"));
    // The receipt's QR link keeps working.
    let (status, html) = citizen
        .get_text(&format!("/tra-cuu/{}", token_of_link(&d)))
        .await;
    assert_eq!(status, 200);
    assert!(html.contains(&code));

    // Thirty lookups a minute from one address: 12 made above, 18 more pass
    // (another code), the next is refused.
    let other = new_dossier(&app, &t, valid_body()).await;
    let other_code = other["code"].as_str().unwrap().to_string();
    let mut passed = 0;
    for _ in 0..18 {
        let (status, _) = lookup_api(&app, &other_code, "5678").await;
        if status == 200 {
            passed += 1;
        }
    }
    assert_eq!(passed, 18);
    let (status, e) = lookup_api(&app, &other_code, "5678").await;
    assert_eq!(status, 429, "{e}");
}

// ---------------------------------------------------------------------------
// News through the outbox, to real servers.

/// What the test SMTP server saw: every DATA it was sent, with whether it
/// accepted it. Each connection has its own clone, with its own message
/// being received; what was seen is shared.
#[derive(Clone, Default)]
pub struct Mailbox {
    pub inner: Arc<Mutex<MailState>>,
    current: Vec<u8>,
    current_to: Vec<String>,
}

#[derive(Default)]
pub struct MailState {
    /// DATA transactions to refuse before accepting (a temporary failure).
    pub refuse_next: usize,
    /// (accepted, recipients, raw message)
    pub seen: Vec<(bool, Vec<String>, String)>,
}

impl mailin_embedded::Handler for Mailbox {
    fn data_start(
        &mut self,
        _domain: &str,
        _from: &str,
        _is8bit: bool,
        to: &[String],
    ) -> mailin_embedded::Response {
        self.current.clear();
        self.current_to = to.to_vec();
        mailin_embedded::response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.current.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> mailin_embedded::Response {
        let raw = String::from_utf8_lossy(&self.current).into_owned();
        let to = self.current_to.clone();
        let mut s = self.inner.lock().unwrap();
        if s.refuse_next > 0 {
            s.refuse_next -= 1;
            s.seen.push((false, to, raw));
            return mailin_embedded::response::INTERNAL_ERROR;
        }
        s.seen.push((true, to, raw));
        mailin_embedded::response::OK
    }
}

impl Mailbox {
    pub fn accepted(&self) -> Vec<(Vec<String>, String)> {
        self.inner
            .lock()
            .unwrap()
            .seen
            .iter()
            .filter(|(ok, _, _)| *ok)
            .map(|(_, to, raw)| (to.clone(), raw.clone()))
            .collect()
    }

    fn tries(&self) -> Vec<(bool, String)> {
        self.inner
            .lock()
            .unwrap()
            .seen
            .iter()
            .map(|(ok, _, raw)| (*ok, raw.clone()))
            .collect()
    }
}

/// A real SMTP server on a free port, in its own threads.
pub fn smtp_server(mailbox: Mailbox) -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut server = mailin_embedded::Server::new(mailbox);
    server
        .with_name("smtp.test")
        .with_ssl(mailin_embedded::SslConfig::None)
        .unwrap()
        .with_num_threads(4)
        .with_tcp_listener(listener);
    std::thread::spawn(move || {
        let _ = server.serve();
    });
    port
}

/// An SMS gateway over HTTP: records each request body; fails the first
/// `fail_first` with a 500.
#[derive(Clone, Default)]
struct Gateway {
    inner: Arc<Mutex<(usize, Vec<String>)>>,
}

fn sms_gateway(gateway: Gateway) -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = actix_web::HttpServer::new(move || {
        let g = gateway.clone();
        actix_web::App::new().route(
            "/send",
            actix_web::web::post().to(move |body: String| {
                let g = g.clone();
                async move {
                    let mut s = g.inner.lock().unwrap();
                    s.1.push(body);
                    if s.0 > 0 {
                        s.0 -= 1;
                        return actix_web::HttpResponse::InternalServerError().body("gateway busy");
                    }
                    actix_web::HttpResponse::Ok().json(json!({"code": 0}))
                }
            }),
        )
    })
    .workers(1)
    .listen(listener)
    .unwrap()
    .run();
    tokio::spawn(server);
    port
}

fn delivery(smtp: u16, sms: Option<u16>) -> motcua::config::Delivery {
    motcua::config::Delivery {
        worker: true,
        poll_ms: 100,
        backoff_seconds: 1,
        max_attempts: 2,
        smtp_url: Some(format!("smtp://127.0.0.1:{smtp}")),
        mail_from: "Một Cửa <motcua@thads.example.vn>".into(),
        sms_url: sms.map(|p| format!("http://127.0.0.1:{p}/send")),
        sms_key: "khoa-bi-mat".into(),
        sms_success: Some("\"code\":0".into()),
        ..motcua::config::Delivery::default()
    }
}

pub async fn wait_for(what: &str, secs: u64, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < Duration::from_secs(secs),
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub fn header<'a>(raw: &'a str, name: &str) -> Option<&'a str> {
    raw.lines()
        .find(|l| {
            l.to_ascii_lowercase()
                .starts_with(&format!("{}:", name.to_ascii_lowercase()))
        })
        .map(|l| l[name.len() + 1..].trim())
}

async fn news_go_out_by_email_and_sms_with_retries(backend: Backend) {
    let mailbox = Mailbox::default();
    mailbox.inner.lock().unwrap().refuse_next = 1;
    let smtp = smtp_server(mailbox.clone());
    let gateway = Gateway::default();
    let sms = sms_gateway(gateway.clone());
    let Some(app) = spawn_with(backend, |c| c.delivery = delivery(smtp, Some(sms))).await else {
        return;
    };
    let t = team(&app).await;
    // The gateway fails twice: with two tries allowed, the SMS is marked failed.
    gateway.inner.lock().unwrap().0 = 2;
    let d = new_dossier(&app, &t, valid_body()).await;
    let code = d["code"].as_str().unwrap().to_string();
    let token = token_of_link(&d);

    // The email: refused once (451), sent again with the same Message-ID.
    wait_for("the email", 30, || mailbox.accepted().len() == 1).await;
    let tries = mailbox.tries();
    assert_eq!(tries.len(), 2, "one refusal, one success");
    assert!(!tries[0].0 && tries[1].0);
    let id0 = header(&tries[0].1, "Message-ID")
        .expect("message id")
        .to_string();
    let id1 = header(&tries[1].1, "Message-ID")
        .expect("message id")
        .to_string();
    assert_eq!(id0, id1, "a retry is recognisable by its message id");
    assert!(id0.ends_with("@motcua>"));
    let (to, raw) = &mailbox.accepted()[0];
    assert_eq!(to, &vec!["an.nguyen@example.vn".to_string()]);
    let unfolded = raw.replace("=\r\n", "");
    assert!(unfolded.contains(&code), "the code in the email");
    assert!(
        unfolded.contains(&format!("http://127.0.0.1:8080/tra-cuu/{token}")),
        "the status link in the email: {unfolded}"
    );

    // The SMS: two 500s, then failed; the administrator sees why and retries.
    wait_for("the SMS to fail twice", 30, || {
        gateway.inner.lock().unwrap().1.len() == 2
    })
    .await;
    let mut page = String::new();
    for _ in 0..100 {
        page = app.get_text("/admin/thong-bao?trang_thai=failed").await.1;
        if page.contains("Cổng SMS trả lỗi 500") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(page.contains("Gửi lỗi"), "{page}");
    assert!(page.contains("Cổng SMS trả lỗi 500"), "the reason shown");
    assert!(page.contains(&code));
    let form = page.find("/gui-lai\"").expect("a retry button");
    let id_start = page[..form].rfind("/admin/thong-bao/").unwrap() + "/admin/thong-bao/".len();
    let id = page[id_start..form].to_string();
    let r = app
        .post_form(
            &format!("/admin/thong-bao/{id}/gui-lai"),
            "/admin/thong-bao",
            &[],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    wait_for("the SMS retried", 30, || {
        gateway.inner.lock().unwrap().1.len() == 3
    })
    .await;
    let body: Value = serde_json::from_str(&gateway.inner.lock().unwrap().1[2]).expect("JSON body");
    assert_eq!(body["to"], "0912345678");
    assert_eq!(body["api_key"], "khoa-bi-mat");
    assert!(body["message"].as_str().unwrap().contains(&code));
    assert!(body["message"]
        .as_str()
        .unwrap()
        .contains(&format!("/tra-cuu/{token}")));
    let mut sent_page = String::new();
    for _ in 0..100 {
        sent_page = app.get_text("/admin/thong-bao?trang_thai=sent").await.1;
        if sent_page.matches("data-status=\"sent\"").count() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        sent_page.matches("data-status=\"sent\"").count(),
        2,
        "{sent_page}"
    );

    // A supplement request and an apology each bring their news.
    let (s, _) = act(
        &app,
        &t.leader,
        &code,
        json!({"action": "assign", "officer": "chuyenvien"}),
    )
    .await;
    assert_eq!(s, 200);
    let (s, _) = act(
        &app,
        &t.officer,
        &code,
        json!({"action": "request_supplement", "missing": [{"name": "Bản án có chứng thực", "form": "certified_copy"}]}),
    )
    .await;
    assert_eq!(s, 200);
    wait_for("the supplement email", 30, || mailbox.accepted().len() == 2).await;
    let raw = mailbox.accepted()[1].1.clone();
    assert!(raw.contains("Subject:"), "{raw}");

    // Declined at the counter, or no address: nothing is written.
    let mut declined = valid_body();
    declined["notify"] = json!(false);
    let before = app.get_text("/admin/thong-bao").await.1;
    let count = |h: &str| h.matches("data-status=").count();
    let n_before = count(&before);
    new_dossier(&app, &t, declined).await;
    let mut no_email = valid_body();
    no_email["applicant"]["email"] = json!("");
    new_dossier(&app, &t, no_email).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after = app.get_text("/admin/thong-bao").await.1;
    assert_eq!(
        count(&after),
        n_before + 1,
        "only the SMS of the dossier without email"
    );
}

#[tokio::test]
async fn news_go_out_by_email_and_sms_with_retries_sqlite() {
    news_go_out_by_email_and_sms_with_retries(Backend::Sqlite).await;
}

#[tokio::test]
async fn news_go_out_by_email_and_sms_with_retries_postgres() {
    news_go_out_by_email_and_sms_with_retries(Backend::Postgres).await;
}

/// Two instances on one PostgreSQL database, both sending: each message
/// leaves once.
#[tokio::test]
async fn two_instances_send_each_message_once() {
    let Some(url) = crate::helpers::fresh_database(Backend::Postgres) else {
        return;
    };
    let mailbox = Mailbox::default();
    let smtp = smtp_server(mailbox.clone());
    let mut config = test_config(&url);
    config.delivery = delivery(smtp, None);
    config.delivery.poll_ms = 20;
    let first = start(config.clone());
    let t = team(&first).await;
    let second = start(config);
    let _ = &second;
    let mut codes = Vec::new();
    for _ in 0..40 {
        let d = new_dossier(&first, &t, valid_body()).await;
        codes.push(d["code"].as_str().unwrap().to_string());
    }
    wait_for("40 emails", 60, || mailbox.accepted().len() >= 40).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let accepted = mailbox.accepted();
    assert_eq!(accepted.len(), 40, "each message sent once");
    let mut ids: Vec<String> = accepted
        .iter()
        .map(|(_, raw)| header(raw, "Message-ID").unwrap().to_string())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 40, "distinct message ids");
    for code in codes {
        assert_eq!(
            accepted
                .iter()
                .filter(|(_, raw)| raw.replace("=\r\n", "").contains(&code))
                .count(),
            1,
            "{code} announced once"
        );
    }
}

on_both_backends!(printable_forms_are_attached_by_the_administrator_and_offered_in_the_catalog);

async fn printable_forms_are_attached_by_the_administrator_and_offered_in_the_catalog(
    app: TestApp,
) {
    app.login_admin().await;
    let (_, list) = app.get_text("/admin/procedures").await;
    let id: String = list
        .match_indices("/admin/procedures/")
        .map(|(i, m)| {
            list[i + m.len()..]
                .chars()
                .take_while(|c| c.is_ascii_digit())
                .collect::<String>()
        })
        .find(|id| !id.is_empty())
        .expect("a procedure");
    let page_path = format!("/admin/procedures/{id}/mau");
    let upload = |title: &'static str, name: &'static str, bytes: Vec<u8>| {
        let app = &app;
        let page_path = page_path.clone();
        async move {
            let csrf = app.csrf(&page_path).await;
            let form = reqwest::multipart::Form::new()
                .text("csrf_token", csrf)
                .text("title", title)
                .part(
                    "file",
                    reqwest::multipart::Part::bytes(bytes).file_name(name),
                );
            app.client
                .post(app.url(&page_path))
                .multipart(form)
                .send()
                .await
                .expect("upload")
        }
    };
    // Not a PDF or Word file: refused beside the field, the title kept.
    let r = upload(
        "Mẫu số D04-THADS: Đơn yêu cầu thi hành án",
        "mau.pdf",
        b"<html>not a pdf".to_vec(),
    )
    .await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"file-error\""));
    assert!(html.contains("value=\"Mẫu số D04-THADS: Đơn yêu cầu thi hành án\""));
    let pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec();
    let r = upload(
        "Mẫu số D04-THADS: Đơn yêu cầu thi hành án",
        "../../etc/passwd.pdf",
        pdf.clone(),
    )
    .await;
    assert_eq!(r.status().as_u16(), 303);

    // The public catalog offers it; the download is the same bytes, as PDF.
    let (_, page) = app.get_text(&page_path).await;
    let href_at = page.find("href=\"/thu-tuc/").expect("form link") + "href=\"".len();
    let href = page[href_at..href_at + page[href_at..].find('"').unwrap()].to_string();
    let code = href
        .trim_start_matches("/thu-tuc/")
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let citizen = app.other_browser();
    let (status, detail) = citizen.get_text(&format!("/thu-tuc/{code}")).await;
    assert_eq!(status, 200);
    assert!(detail.contains("Mẫu đơn, tờ khai"));
    assert!(detail.contains(&href));
    assert!(
        detail.contains("data-label=\"Giấy tờ\""),
        "the document table keeps its labels on a phone"
    );
    assert!(detail.contains("id=\"submit-ways\""));
    let r = citizen.get(&href).await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let disposition = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        disposition.contains("mau-so-d04-thads-don-yeu-cau-thi-hanh-an.pdf"),
        "{disposition}"
    );
    assert_eq!(r.bytes().await.unwrap().to_vec(), pdf);
    assert_eq!(
        citizen.get(&format!("{href}9")).await.status().as_u16(),
        404
    );
}
