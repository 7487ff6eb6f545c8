//! A citizen on a 390 px phone: the front door, the lookup by code and the
//! last four digits, and the status page; screenshots in `target/screenshots/`.

use fantoccini::{key::Key, Locator};

use crate::browser::Browser;
use crate::citizens::set_contacts;
use crate::dossiers_api::valid_body;
use crate::helpers::{spawn_app, Backend};
use crate::processing::{new_dossier, team};

#[tokio::test]
async fn a_citizen_checks_a_dossier_from_a_phone() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = spawn_app(Backend::Sqlite).await.expect("app");
    let t = team(&app).await;
    set_contacts(&app).await;
    let d = new_dossier(&app, &t, valid_body()).await;
    let code = d["code"].as_str().unwrap().to_string();
    browser
        .client
        .set_window_size(390, 844)
        .await
        .expect("resize");

    // The front door: who, where, when, the hotline, and the lookup.
    browser.client.goto(&app.url("/")).await.expect("goto");
    let title = browser.text_of("h1").await;
    assert!(!title.is_empty());
    let footer = browser.text_of("footer").await;
    assert!(footer.contains("0258 3822 123"), "{footer}");
    assert!(footer.contains("02 Lê Thánh Tôn"), "{footer}");
    browser.assert_fits_width().await;
    browser.screenshot("citizen-front-door-phone").await;

    // A wrong verifier: the same message as an unknown code, the code kept.
    browser.fill("#code", &code).await;
    browser.fill("#verifier", "0000").await;
    browser
        .client
        .find(Locator::Css("#verifier"))
        .await
        .expect("verifier")
        .send_keys(&Key::Enter.to_string())
        .await
        .expect("enter");
    let problem = browser.text_of("#lookup-problem").await;
    assert!(problem.contains("Không tìm thấy hồ sơ"), "{problem}");
    let kept = browser
        .client
        .find(Locator::Css("#code"))
        .await
        .expect("code")
        .prop("value")
        .await
        .expect("value");
    assert_eq!(kept.as_deref(), Some(code.as_str()));
    browser.assert_fits_width().await;
    browser.screenshot("citizen-lookup-phone").await;

    // The right four digits: the status page, with no personal data.
    browser.fill("#verifier", "5678").await;
    browser
        .client
        .find(Locator::Css("form.lookup-form button[type=submit]"))
        .await
        .expect("submit")
        .click()
        .await
        .expect("click");
    let status = browser.text_of("#status").await;
    assert_eq!(status, "Đã tiếp nhận");
    let body = browser.text_of("main").await;
    assert!(body.contains(&code));
    assert!(body.contains("Việc tiếp theo"));
    for personal in [
        "Nguyễn Văn An",
        "056090001234",
        "0912",
        "an.nguyen@example.vn",
    ] {
        assert!(!body.contains(personal), "{personal} shown");
    }
    let url = browser.client.current_url().await.expect("url");
    assert!(
        !url.as_str().contains("5678"),
        "the digits stay out of the URL"
    );
    browser.assert_fits_width().await;
    browser.screenshot("citizen-status-phone").await;
    browser.client.clone().close().await.expect("close");
}
