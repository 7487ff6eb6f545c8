//! The processing journey in a real browser: a leader assigns from the
//! queue, the officer finds it in his inbox and submits the result, the
//! leader approves it; the control sheet shows every handover.

use fantoccini::Locator;

use crate::browser::Browser;
use crate::dossiers_api::valid_body;
use crate::helpers::{spawn_app, Backend};
use crate::processing::{new_dossier, team};

const PASSWORD: &str = "xu-ly-ho-so-2026";

async fn log_in(browser: &Browser, base: &str, username: &str, next: &str) {
    browser.sign_in(base, username, PASSWORD, next).await;
}

async fn log_out(browser: &Browser) {
    browser
        .client
        .find(Locator::Css("form[action='/logout'] button"))
        .await
        .expect("logout")
        .click()
        .await
        .expect("click");
    browser.wait_for_path("/login").await;
}

async fn click(browser: &Browser, css: &str) {
    browser
        .client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .expect("click");
}

#[tokio::test]
async fn a_dossier_goes_from_assignment_to_approval_in_the_browser() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = spawn_app(Backend::Sqlite).await.expect("app");
    let t = team(&app).await;
    let d = new_dossier(&app, &t, valid_body()).await;
    let code = d["code"].as_str().expect("code").to_string();
    let base = app.address.clone();

    // The leader ticks the dossier in the queue and assigns it.
    log_in(&browser, &base, "lanhdao", "/phan-cong").await;
    let waiting = browser.text_of("#h-assign").await;
    assert_eq!(waiting, "Hồ sơ chờ phân công (1)");
    click(&browser, "input[name='pick']").await;
    browser
        .client
        .find(Locator::Css("#officer"))
        .await
        .expect("officer")
        .select_by_value("chuyenvien")
        .await
        .expect("select");
    click(&browser, "form[action='/phan-cong'] button[type='submit']").await;
    let flash = browser
        .wait_for_text(".flash", "Đã phân công 1 hồ sơ.")
        .await;
    assert_eq!(flash, "Đã phân công 1 hồ sơ.");
    browser.screenshot("processing-queue-assigned").await;
    log_out(&browser).await;

    // The officer opens it from his inbox and submits the result.
    log_in(&browser, &base, "chuyenvien", "/viec-cua-toi").await;
    click(&browser, &format!("a[href='/ho-so/{code}']")).await;
    browser.wait_for_path(&format!("/ho-so/{code}")).await;
    click(&browser, "#action-submit_for_approval summary").await;
    browser.fill("#result_number", "125/QĐ-THADS").await;
    browser.fill("#result_date", "20/11/2026").await;
    browser.fill("#result_signer", "Lê Văn Hùng").await;
    browser
        .fill("#result_summary", "Quyết định thi hành án")
        .await;
    click(
        &browser,
        "#action-submit_for_approval button[type='submit']",
    )
    .await;
    let flash = browser
        .wait_for_text(".flash", "Đã thực hiện: Trình phê duyệt kết quả.")
        .await;
    assert_eq!(flash, "Đã thực hiện: Trình phê duyệt kết quả.");
    let status = browser.text_of(".status-line").await;
    assert!(status.contains("Chờ phê duyệt"), "{status}");
    browser.screenshot("processing-submitted").await;
    log_out(&browser).await;

    // The leader approves from the queue.
    log_in(&browser, &base, "lanhdao", "/phan-cong").await;
    let approvals = browser.text_of("#h-approve").await;
    assert_eq!(approvals, "Chờ phê duyệt (1)");
    click(&browser, &format!("a[href='/ho-so/{code}']")).await;
    browser.wait_for_path(&format!("/ho-so/{code}")).await;
    click(&browser, "#action-approve summary").await;
    click(&browser, "#action-approve button[type='submit']").await;
    let flash = browser
        .wait_for_text(".flash", "Đã thực hiện: Phê duyệt kết quả.")
        .await;
    assert_eq!(flash, "Đã thực hiện: Phê duyệt kết quả.");
    let status = browser.text_of(".status-line").await;
    assert!(status.contains("Đã có kết quả, chờ trả"), "{status}");
    let history = browser.text_of("table.history").await;
    for step in ["Phân công xử lý", "Trình phê duyệt", "Phê duyệt kết quả"] {
        assert!(history.contains(step), "{step} in {history}");
    }
    browser.screenshot("processing-approved").await;

    browser
        .client
        .goto(&format!("{base}/ho-so/{code}/phieu-kiem-soat"))
        .await
        .expect("goto");
    let sheet = browser.text_of("article.sheet").await;
    assert!(
        sheet.contains("PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"),
        "{sheet}"
    );
    assert!(sheet.contains("Lãnh đạo giao chuyên viên xử lý"));
    browser.screenshot("control-sheet-mau-05").await;
    browser.client.clone().close().await.expect("close");
}
