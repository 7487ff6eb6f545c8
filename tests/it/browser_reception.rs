//! The reception journey in a real browser: pick the procedure by typing,
//! fill the form with the keyboard, get an error, fix it, accept, and print
//! the receipt; the receipt is captured as printed (print media, A5).

use std::time::Duration;

use fantoccini::wd::{PrintConfiguration, PrintMargins, PrintSize};
use fantoccini::Locator;

use crate::browser::{Browser, Cdp};
use crate::helpers::{spawn_app, Backend};

async fn wait_for_suffix(browser: &Browser, suffix: &str) -> String {
    for _ in 0..100 {
        if let Ok(url) = browser.client.current_url().await {
            if url.path().ends_with(suffix) {
                return url.path().to_string();
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the browser never reached …{suffix}");
}

async fn js(browser: &Browser, script: &str) -> serde_json::Value {
    browser
        .client
        .execute(script, vec![])
        .await
        .expect("script runs")
}

#[tokio::test]
async fn a_clerk_receives_a_dossier_and_prints_the_receipt() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = spawn_app(Backend::Sqlite).await.expect("app");
    app.login_admin().await;
    app.create_user("tiepnhan", "reception", crate::reception::PASSWORD)
        .await;

    browser
        .client
        .goto(&app.url("/login?next=%2Ftiep-nhan"))
        .await
        .expect("goto");
    browser.fill("#username", "tiepnhan").await;
    browser.fill("#password", crate::reception::PASSWORD).await;
    browser
        .client
        .find(Locator::Css("#password"))
        .await
        .expect("password")
        .send_keys("\u{E007}")
        .await
        .expect("enter");
    browser.wait_for_path("/tiep-nhan").await;

    // Type-ahead without accents, Enter opens the first match.
    let search = browser.client.find(Locator::Css("#q")).await.expect("q");
    search.send_keys("xac nhan ket qua").await.expect("type");
    let visible = js(
        &browser,
        "return Array.from(document.querySelectorAll('#procedure-list li')).filter(li => !li.hidden).length",
    )
    .await;
    assert_eq!(
        visible,
        serde_json::json!(1),
        "the list narrows as the clerk types"
    );
    search.clear().await.expect("clear");
    search.send_keys("yeu cau thi hanh").await.expect("type");
    search.send_keys("\u{E007}").await.expect("enter");
    browser.wait_for_path("/tiep-nhan/moi").await;
    let focused = js(&browser, "return document.activeElement.id").await;
    assert_eq!(
        focused,
        serde_json::json!("full_name"),
        "focus starts on the name"
    );

    browser.fill("#full_name", "Nguyễn Thị Hồng Nhung").await;
    browser.fill("#id_number", "056190004321").await;
    browser.fill("#phone", "0905 111 222").await;
    browser
        .fill("#address", "45 Lê Thánh Tôn, phường Nha Trang, Khánh Hòa")
        .await;
    browser
        .client
        .find(Locator::Css("#doc_0"))
        .await
        .expect("doc_0")
        .click()
        .await
        .expect("tick");
    // Enter in a field accepts; the judgment copy is missing: refused with a message.
    browser
        .client
        .find(Locator::Css("#address"))
        .await
        .expect("address")
        .send_keys("\u{E007}")
        .await
        .expect("enter");
    let summary = browser.text_of(".error-summary").await;
    assert!(summary.contains("Còn thiếu giấy tờ bắt buộc"), "{summary}");
    let kept = js(
        &browser,
        "return document.getElementById('full_name').value",
    )
    .await;
    assert_eq!(kept, serde_json::json!("Nguyễn Thị Hồng Nhung"));
    browser.screenshot("reception-form-error").await;

    browser
        .client
        .find(Locator::Css("#doc_1"))
        .await
        .expect("doc_1")
        .click()
        .await
        .expect("tick");
    browser
        .client
        .find(Locator::Css("button[value='accept']"))
        .await
        .expect("accept")
        .click()
        .await
        .expect("click");
    let done = wait_for_suffix(&browser, "/da-tiep-nhan").await;
    let code = browser.text_of("#dossier-code").await;
    assert!(done.contains(&code), "{done} {code}");
    assert!(
        code.starts_with("000.00.00.H00-") && code.ends_with("-0001"),
        "{code}"
    );
    let due = browser.text_of("#due-date").await;
    assert_eq!(due.len(), 10, "dd/mm/yyyy: {due}");
    browser.screenshot("reception-confirmation").await;

    browser
        .client
        .find(Locator::Css("#print-receipt"))
        .await
        .expect("print link")
        .click()
        .await
        .expect("click");
    wait_for_suffix(&browser, "/bien-nhan").await;
    assert_eq!(
        js(
            &browser,
            "return document.querySelectorAll('.qr svg').length"
        )
        .await,
        serde_json::json!(2),
        "a QR code on each copy"
    );
    // As printed: print media, an A5 sheet's width (148 mm at 96 dpi).
    browser
        .client
        .issue_cmd(Cdp {
            cmd: "Emulation.setEmulatedMedia",
            params: serde_json::json!({"media": "print"}),
        })
        .await
        .expect("print media");
    assert_eq!(
        js(
            &browser,
            "return getComputedStyle(document.querySelector('.print-toolbar')).display"
        )
        .await,
        serde_json::json!("none"),
        "the toolbar is not printed"
    );
    browser
        .client
        .set_window_size(484, 900)
        .await
        .expect("resize");
    let text = browser.text_of("article.sheet").await;
    assert!(
        text.contains("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"),
        "{text}"
    );
    assert!(text.contains("Nguyễn Thị Hồng Nhung"));
    assert!(text.contains(&code));
    let shot = browser.screenshot("receipt-mau-01-print").await;
    eprintln!("receipt screenshot: {}", shot.display());

    // And the PDF the browser's print gives on A5 paper: two pages, one per copy.
    let pdf = browser
        .client
        .print(
            PrintConfiguration::builder()
                .size(PrintSize {
                    width: 14.8,
                    height: 21.0,
                })
                .margins(PrintMargins {
                    top: 1.0,
                    bottom: 1.0,
                    left: 1.4,
                    right: 1.0,
                })
                .build()
                .expect("A5"),
        )
        .await
        .expect("print to PDF");
    assert!(pdf.starts_with(b"%PDF"));
    let pages = pdf
        .windows(b"/Type /Page\n".len())
        .filter(|w| w.starts_with(b"/Type /Page") && !w.starts_with(b"/Type /Pages"))
        .count();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::write(dir.join("receipt-mau-01.pdf"), &pdf).expect("write pdf");
    assert_eq!(pages, 2, "two copies on two A5 pages");
    browser.client.clone().close().await.expect("close");
}
