//! A citizen files a dossier online from a 390 px phone: the procedure, the
//! applicant, one scan per document; a wrong file comes back with its
//! message and the typed values; then the confirmation with the code, and
//! the status page. Screenshots in `target/screenshots/`.

use fantoccini::Locator;

use crate::browser::Browser;
use crate::citizens::set_contacts;
use crate::helpers::{spawn_app, Backend};
use crate::online::{tiny_pdf, tiny_png};
use crate::processing::team;

#[tokio::test]
async fn a_citizen_files_online_from_a_phone() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = spawn_app(Backend::Sqlite).await.expect("app");
    let _ = team(&app).await;
    set_contacts(&app).await;
    let dir = std::env::temp_dir().join(format!("motcua-scans-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("dir");
    let pdf = dir.join("don-yeu-cau.pdf");
    let png = dir.join("ban-an.png");
    let fake = dir.join("ban-an-gia.pdf");
    std::fs::write(&pdf, tiny_pdf()).expect("pdf");
    std::fs::write(&png, tiny_png()).expect("png");
    std::fs::write(&fake, b"<html>khong phai ban quet</html>").expect("fake");
    browser
        .client
        .set_window_size(390, 844)
        .await
        .expect("resize");

    // From the front door to the procedure's online form.
    browser.client.goto(&app.url("/")).await.expect("goto");
    browser.click("a[href='/nop-truc-tuyen']").await;
    browser.wait_for_path("/nop-truc-tuyen").await;
    browser.assert_fits_width().await;
    browser.screenshot("online-choose-phone").await;
    browser
        .click("#online-procedures a[href='/nop-truc-tuyen/THADS-YCTHA']")
        .await;
    browser.wait_for_path("/nop-truc-tuyen/THADS-YCTHA").await;
    let footer = browser.text_of("footer").await;
    assert!(
        footer.contains("0258 3822 123"),
        "the hotline on every public page: {footer}"
    );

    browser.fill("#full_name", "Nguyễn Văn An").await;
    browser.fill("#id_number", "056090001234").await;
    browser.fill("#phone", "0912 345 678").await;
    browser.fill("#email", "an.nguyen@example.vn").await;
    browser
        .fill("#address", "12 Trần Phú, phường Nha Trang, Khánh Hòa")
        .await;
    let choose = |css: &'static str, path: std::path::PathBuf| {
        let client = browser.client.clone();
        async move {
            client
                .find(Locator::Css(css))
                .await
                .expect(css)
                .send_keys(path.to_str().unwrap())
                .await
                .expect("choose file");
        }
    };
    choose("#doc_0_file", pdf.clone()).await;
    choose("#doc_1_file", fake.clone()).await;
    browser.assert_fits_width().await;
    browser.screenshot("online-form-phone").await;
    browser.click("#submit-button").await;

    // The wrong file: its message beside it, the typed values kept.
    let error = browser.text_of("#doc_1_file-error").await;
    assert!(error.contains("không phải"), "{error}");
    let kept = browser
        .client
        .find(Locator::Css("#full_name"))
        .await
        .expect("name")
        .prop("value")
        .await
        .expect("value");
    assert_eq!(kept.as_deref(), Some("Nguyễn Văn An"));
    let again = browser.text_of("#choose-again").await;
    assert!(again.contains("chọn lại"), "{again}");
    browser.assert_fits_width().await;
    browser.screenshot("online-form-error-phone").await;

    choose("#doc_0_file", pdf.clone()).await;
    choose("#doc_1_file", png.clone()).await;
    browser.click("#submit-button").await;
    let code = browser.text_of("#submission-code").await;
    assert!(code.starts_with("DK-"), "{code}");
    let body = browser.text_of("main").await;
    assert!(body.contains("Mới đăng ký, chờ tiếp nhận"), "{body}");
    assert!(body.contains("4 chữ số cuối"), "the verifier rule: {body}");
    browser.assert_fits_width().await;
    browser.screenshot("online-submitted-phone").await;

    browser.click("#status-link").await;
    let status = browser.text_of("#status").await;
    assert_eq!(status, "Mới đăng ký, chờ tiếp nhận");
    let body = browser.text_of("main").await;
    for personal in ["Nguyễn Văn An", "056090001234", "0912345678", "an.nguyen"] {
        assert!(!body.contains(personal), "{personal} shown");
    }
    browser.assert_fits_width().await;
    browser.screenshot("online-status-phone").await;
    let _ = std::fs::remove_dir_all(&dir);
}
