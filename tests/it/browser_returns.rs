//! The return counter in a real browser: the clerk scans the receipt's QR
//! code into the search box, checks the recipient, hands the result over,
//! prints the return record and records the citizen's rating.

use fantoccini::Locator;

use crate::browser::Browser;
use crate::dossiers_api::valid_body;
use crate::helpers::{spawn_app, Backend};
use crate::processing::team;
use crate::returns::ready_dossier;

#[tokio::test]
async fn the_return_counter_hands_over_a_result() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = spawn_app(Backend::Sqlite).await.expect("app");
    let t = team(&app).await;
    let d = ready_dossier(&app, &t, valid_body()).await;
    let code = d["code"].as_str().expect("code").to_string();
    let qr_link = d["lookup_url"].as_str().expect("lookup_url").to_string();

    browser
        .client
        .goto(&app.url("/login?next=%2Ftra-ket-qua"))
        .await
        .expect("goto");
    browser.fill("#username", "tiepnhan").await;
    browser.fill("#password", "xu-ly-ho-so-2026").await;
    browser
        .client
        .find(Locator::Css("form[action='/login'] button"))
        .await
        .expect("button")
        .click()
        .await
        .expect("click");
    browser.wait_for_path("/tra-ket-qua").await;
    let ready = browser.text_of("main").await;
    assert!(ready.contains(&code), "listed as ready");
    // The scanner types the QR link and Enter into the focused box.
    let focused = browser
        .client
        .execute("return document.activeElement.id", vec![])
        .await
        .expect("js");
    assert_eq!(focused, serde_json::json!("q"));
    let q = browser.client.find(Locator::Css("#q")).await.expect("q");
    q.send_keys(&format!("{qr_link}\u{E007}"))
        .await
        .expect("scan");
    browser.wait_for_path(&format!("/ho-so/{code}")).await;

    browser
        .client
        .find(Locator::Css("#action-deliver_at_counter summary"))
        .await
        .expect("deliver")
        .click()
        .await
        .expect("open");
    // The applicant collects: "Người nhận là người nộp hồ sơ" is chosen,
    // nothing is retyped.
    let chosen = browser
        .client
        .find(Locator::Css("#recipient-applicant"))
        .await
        .expect("choice")
        .prop("checked")
        .await
        .expect("checked");
    assert_eq!(chosen.as_deref(), Some("true"));
    browser
        .client
        .find(Locator::Css(
            "#action-deliver_at_counter button[type='submit']",
        ))
        .await
        .expect("submit")
        .click()
        .await
        .expect("click");
    let flash = browser
        .wait_for_text(".flash", "Đã thực hiện: Trả kết quả tại bộ phận một cửa.")
        .await;
    assert_eq!(flash, "Đã thực hiện: Trả kết quả tại bộ phận một cửa.");
    let status = browser.text_of(".status-line").await;
    assert!(status.contains("Đã trả kết quả"), "{status}");

    // The rating, then the printed return record.
    browser
        .client
        .find(Locator::Css("#level-very_satisfied"))
        .await
        .expect("level")
        .click()
        .await
        .expect("click");
    browser.fill("#comment", "Nhanh, đúng hẹn").await;
    browser
        .client
        .find(Locator::Css("form[action$='/danh-gia'] button"))
        .await
        .expect("rate")
        .click()
        .await
        .expect("click");
    // The page reloads in place: the previous action's message may still show.
    let flash = browser
        .wait_for_text(".flash", "Đã ghi nhận đánh giá của người dân.")
        .await;
    assert_eq!(flash, "Đã ghi nhận đánh giá của người dân.");
    let rating = browser.text_of("#h-rating").await;
    assert_eq!(rating, "Đánh giá của người dân");
    browser.screenshot("return-counter-delivered").await;

    browser
        .client
        .find(Locator::Css("#return-record"))
        .await
        .expect("record link")
        .click()
        .await
        .expect("click");
    browser
        .wait_for_path(&format!("/ho-so/{code}/phieu-tra"))
        .await;
    let sheet = browser.text_of("article.sheet").await;
    assert!(
        sheet.contains("PHIẾU TRẢ KẾT QUẢ GIẢI QUYẾT HỒ SƠ"),
        "{sheet}"
    );
    assert!(sheet.contains("Nguyễn Văn An"));
    browser.screenshot("return-record").await;
    browser.client.clone().close().await.expect("close");
}
