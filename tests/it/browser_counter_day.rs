//! A day at the counter in a real browser: a session that ends while a form
//! is half filled, Enter in the notice panel, ticks kept on an error, the
//! return form's "người nộp" choice; screenshots in `target/screenshots/`.

use std::time::Duration;

use fantoccini::Locator;
use serde_json::{json, Value};

use crate::browser::Browser;
use crate::dossiers_api::valid_body;
use crate::helpers::{spawn_app, spawn_with, Backend};
use crate::processing::{new_dossier, team};
use crate::returns::ready_dossier;

const PASSWORD: &str = "xu-ly-ho-so-2026";

/// A clerk signed in, in the browser, on the reception form of the first
/// procedure, on an app started with `tweak`.
async fn clerk_on_the_reception_form(
    tweak: impl FnOnce(&mut motcua::Config),
) -> Option<(Browser, crate::helpers::TestApp)> {
    let browser = Browser::start().await?;
    let app = spawn_with(Backend::Sqlite, tweak).await.expect("app");
    let _t = team(&app).await;
    let clerk = app.other_browser();
    assert_eq!(
        clerk.login("tiepnhan", PASSWORD).await.status().as_u16(),
        303
    );
    let (_, page) = clerk.get_text("/tiep-nhan").await;
    let at = page.find("href=\"/tiep-nhan/moi?").expect("a procedure") + "href=\"".len();
    let form_path = page[at..at + page[at..].find('"').unwrap()].replace("&amp;", "&");
    browser
        .sign_in(&app.address, "tiepnhan", PASSWORD, &form_path)
        .await;
    Some((browser, app))
}

#[tokio::test]
async fn an_ended_session_brings_the_clerk_back_to_the_typed_form() {
    let Some((browser, _app)) = clerk_on_the_reception_form(|c| c.session_idle_seconds = 8).await
    else {
        return;
    };
    browser.fill("#full_name", "Trần Thị Mai").await;
    browser.fill("#phone", "0905 222 333").await;
    browser.fill("#note", "Chờ công dân đi photo giấy tờ").await;

    // The warning shows before the end, then the login page says why.
    let mut warned = false;
    for _ in 0..150 {
        if browser
            .js("var w = document.getElementById('session-warning'); return !!w && !w.hidden")
            .await
            == json!(true)
        {
            warned = true;
            browser.screenshot("session-warning").await;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(warned, "a countdown shows before the session ends");
    browser.wait_for_path("/login").await;
    let notice = browser.text_of("main").await;
    assert!(notice.contains("Phiên làm việc đã hết hạn"), "{notice}");
    browser.screenshot("session-expired-login").await;

    // Signing in again returns to the form with what was typed.
    browser.fill("#username", "tiepnhan").await;
    browser.fill("#password", PASSWORD).await;
    browser.click("form[action='/login'] button").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let url = browser.client.current_url().await.expect("url");
    assert!(
        url.path().starts_with("/tiep-nhan/moi"),
        "{url}: {}",
        browser.text_of("main").await
    );
    let restored = browser.text_of("#draft-restored").await;
    assert!(restored.contains("Đã điền lại"), "{restored}");
    assert_eq!(
        browser
            .js("return document.getElementById('full_name').value")
            .await,
        json!("Trần Thị Mai")
    );
    assert_eq!(
        browser
            .js("return document.getElementById('phone').value")
            .await,
        json!("0905 222 333")
    );
    assert_eq!(
        browser
            .js("return document.getElementById('note').value")
            .await,
        json!("Chờ công dân đi photo giấy tờ")
    );
    browser.screenshot("session-form-restored").await;
    browser.client.clone().close().await.expect("close");
}

#[tokio::test]
async fn enter_in_the_notice_panel_sends_the_notice_and_the_panel_stays_open() {
    let Some((browser, _app)) = clerk_on_the_reception_form(|_| {}).await else {
        return;
    };
    browser
        .client
        .set_window_size(1366, 900)
        .await
        .expect("resize");

    // Counter is the default channel: the postal fields are out of the way.
    assert_eq!(
        browser
            .js("return document.getElementById('postmarked_on').offsetParent === null")
            .await,
        json!(true),
        "postal fields hidden for a counter dossier"
    );
    browser.click("label[for='channel_postal']").await;
    assert_eq!(
        browser
            .js("return document.getElementById('postmarked_on').offsetParent !== null")
            .await,
        json!(true),
        "postal fields shown for a postal dossier"
    );
    browser.click("label[for='channel']").await;
    // From the name to "Tiếp nhận": the tab stops a counter dossier takes
    // (a radio group is one stop).
    let stops = browser
        .js(
            "var f = document.querySelector('form.reception-form'); \
             var seen = {}; var list = Array.from(f.querySelectorAll('input, select, textarea, button, a[href], summary')) \
               .filter(function (e) { return e.offsetParent !== null && !e.disabled && e.type !== 'hidden' && e.tabIndex >= 0; }) \
               .filter(function (e) { if (e.type !== 'radio') { return true; } if (seen[e.name]) { return false; } seen[e.name] = 1; return true; }); \
             var from = list.indexOf(document.getElementById('full_name')); \
             var to = list.indexOf(f.querySelector('button[value=accept]')); \
             return to - from;",
        )
        .await;
    eprintln!("tab stops from the name to accept: {stops}");
    assert!(stops.as_i64().unwrap() < 28, "{stops} tab stops");

    browser.click("#notice-panel summary").await;
    browser.fill("#fix_0_name", "Bản án có chứng thực").await;
    browser
        .fill("#reason", "Bản sao bản án chưa chứng thực")
        .await;
    browser
        .client
        .find(Locator::Css("#fix_0_name"))
        .await
        .expect("fix")
        .send_keys("\u{E007}")
        .await
        .expect("enter");
    // The applicant is missing: the form comes back, the panel open with its values.
    let summary = browser.text_of(".error-summary").await;
    assert!(!summary.is_empty());
    assert_eq!(
        browser
            .js("return document.getElementById('notice-panel').open")
            .await,
        json!(true),
        "the notice panel stays open"
    );
    assert_eq!(
        browser
            .js("return document.getElementById('fix_0_name').value")
            .await,
        json!("Bản án có chứng thực")
    );
    assert_eq!(
        browser
            .js("return document.getElementById('reason').value")
            .await,
        json!("Bản sao bản án chưa chứng thực")
    );
    browser.screenshot("reception-notice-panel-error").await;
    browser.client.clone().close().await.expect("close");
}

#[tokio::test]
async fn a_leader_keeps_the_ticks_and_a_clerk_hands_over_to_the_applicant() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = spawn_app(Backend::Sqlite).await.expect("app");
    let t = team(&app).await;
    let first = new_dossier(&app, &t, valid_body()).await;
    let second = new_dossier(&app, &t, valid_body()).await;
    browser
        .sign_in(&app.address, "lanhdao", PASSWORD, "/phan-cong")
        .await;
    for d in [&first, &second] {
        let code = d["code"].as_str().unwrap();
        browser
            .click(&format!("input[aria-label='Chọn hồ sơ {code}']"))
            .await;
    }
    // No officer chosen: an error, and both ticks are still there.
    browser
        .click("form[action='/phan-cong'] button[type=submit]")
        .await;
    let error = browser.text_of(".error-summary").await;
    assert!(error.contains("Chọn chuyên viên"), "{error}");
    let ticked = browser
        .js("return Array.from(document.querySelectorAll('input[name=pick]:checked')).length")
        .await;
    assert_eq!(ticked, json!(2), "the ticks are kept");
    browser.screenshot("assign-ticks-kept").await;
    // Codes stay on one line in lists.
    assert_eq!(
        browser
            .js("return getComputedStyle(document.querySelector('.table a[href^=\"/ho-so/\"]')).whiteSpace")
            .await,
        json!("nowrap")
    );

    // A result handed to the applicant: no retyping of the name and ID.
    let ready = ready_dossier(&app, &t, valid_body()).await;
    let code = ready["code"].as_str().unwrap().to_string();
    browser.client.delete_all_cookies().await.expect("cookies");
    browser
        .sign_in(
            &app.address,
            "tiepnhan",
            PASSWORD,
            &format!("/ho-so/{code}"),
        )
        .await;
    browser.click("#action-deliver_at_counter summary").await;
    assert_eq!(
        browser
            .js("return document.getElementById('recipient-applicant').checked")
            .await,
        json!(true),
        "the applicant is the default recipient"
    );
    assert_eq!(
        browser
            .js("return document.getElementById('recipient_name').offsetParent === null")
            .await,
        json!(true),
        "nothing to retype"
    );
    browser.screenshot("return-form-applicant").await;
    browser
        .click("#action-deliver_at_counter button[type=submit]")
        .await;
    let mut delivered = Value::Null;
    for _ in 0..50 {
        delivered = crate::processing::dossier(&app, &t.reception, &code).await;
        if delivered["status"] == "delivered" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(delivered["status"], "delivered", "{delivered}");
    browser.client.clone().close().await.expect("close");
}

/// A form posted after the session ended sends the clerk to sign in, then
/// back to the page the form was on (this site's only), never to the POST
/// address.
#[tokio::test]
async fn a_form_posted_after_the_session_ended_returns_to_its_page() {
    let app = spawn_with(Backend::Sqlite, |c| c.session_idle_seconds = 1)
        .await
        .expect("app");
    let _t = team(&app).await;
    let clerk = app.other_browser();
    assert_eq!(
        clerk.login("tiepnhan", PASSWORD).await.status().as_u16(),
        303
    );
    let page = "/tiep-nhan/moi?thu_tuc=THADS-YCTHA";
    let csrf = clerk.csrf(page).await;
    tokio::time::sleep(Duration::from_millis(2100)).await;
    for (referer, next) in [
        (
            format!("{}{page}", app.address),
            "%2Ftiep-nhan%2Fmoi%3Fthu_tuc%3DTHADS-YCTHA",
        ),
        (
            "https://evil.example/tiep-nhan".to_string(),
            "%2Ftiep-nhan%2Fmoi%3Fthu_tuc%3DTHADS-YCTHA",
        ),
    ] {
        let r = clerk
            .client
            .post(clerk.url(page))
            .header("Referer", referer)
            .form(&[("csrf_token", csrf.as_str()), ("full_name", "Lê Văn Tư")])
            .send()
            .await
            .expect("POST");
        assert_eq!(r.status().as_u16(), 303);
        assert_eq!(
            r.headers()["location"].to_str().unwrap(),
            format!("/login?next={next}&expired=1")
        );
        let _ = clerk.login("tiepnhan", PASSWORD).await;
        tokio::time::sleep(Duration::from_millis(2100)).await;
    }
    // A reload of a dossier page re-rendered after an action's error goes
    // back to the dossier.
    let fresh = app.other_browser();
    assert_eq!(
        fresh.login("tiepnhan", PASSWORD).await.status().as_u16(),
        303
    );
    let r = fresh.get("/ho-so/000.00.00.H00-261201-0001/thao-tac").await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(
        r.headers()["location"].to_str().unwrap(),
        "/ho-so/000.00.00.H00-261201-0001"
    );
}
