//! The supervisor's and the leader's home pages, the overdue list and the
//! period report in a real browser, on a generated province; screenshots in
//! `target/screenshots/`.

use fantoccini::Locator;

use crate::browser::Browser;
use crate::helpers::Backend;
use crate::reports::generated;

async fn sign_in(browser: &Browser, base: &str, user: &str) {
    browser
        .client
        .goto(&format!("{base}/login"))
        .await
        .expect("goto");
    browser.fill("#username", user).await;
    browser
        .fill("#password", crate::reports::DEMO_PASSWORD)
        .await;
    browser
        .client
        .find(Locator::Css("form button[type=submit]"))
        .await
        .expect("submit")
        .click()
        .await
        .expect("click");
    browser.wait_for_path("/").await;
}

#[tokio::test]
async fn supervisors_and_leaders_see_their_day_on_the_home_page() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = generated(Backend::Sqlite, "4000").expect("app");
    browser
        .client
        .set_window_size(1366, 1100)
        .await
        .expect("window");

    sign_in(&browser, &app.address, "giamsat").await;
    let heading = browser.text_of("main h1").await;
    assert!(heading.starts_with("Xin chào"), "{heading}");
    let table = browser.text_of(".overview-table").await;
    for office in ["Cơ quan thi hành án dân sự", "khu vực 1", "Tổng cộng"] {
        assert!(table.contains(office), "{office} in {table}");
    }
    assert!(table.contains('%'), "on-time rates shown");
    let charts = browser
        .client
        .find_all(Locator::Css("figure.chart-box svg"))
        .await
        .expect("charts");
    assert_eq!(charts.len(), 3, "three charts drawn on the server");
    let label = charts[0].attr("aria-label").await.expect("attr");
    assert!(label.is_some_and(|l| l.contains("đúng hạn")));
    browser.screenshot("home-supervisor").await;

    // A count leads to its list.
    browser
        .client
        .find(Locator::Css(
            ".figures a[href^='/bao-cao/qua-han?loai=overdue']",
        ))
        .await
        .expect("overdue figure")
        .click()
        .await
        .expect("click");
    browser.wait_for_path("/bao-cao/qua-han").await;
    let title = browser.text_of("main h1").await;
    assert_eq!(title, "Hồ sơ: Quá hạn");
    browser.screenshot("overdue-list").await;

    browser
        .client
        .goto(&format!("{}/bao-cao/dinh-ky", app.address))
        .await
        .expect("goto");
    let total = browser.text_of(".report-table tfoot").await;
    assert!(total.contains("Tổng cộng"));
    browser.screenshot("period-report").await;
    browser
        .client
        .goto(&format!("{}/bao-cao/dinh-ky/in", app.address))
        .await
        .expect("goto");
    let form = browser.text_of(".form-number").await;
    assert_eq!(form, "Biểu số II.06a/VPCP/KSTT");
    browser.screenshot("period-report-print").await;

    // The leader: what to assign, approve, what is late, each officer's load.
    browser.client.delete_all_cookies().await.expect("cookies");
    sign_in(&browser, &app.address, "lanhdao").await;
    let figures = browser.text_of("main .figures").await;
    for words in [
        "quá hạn",
        "chờ phân công",
        "chờ phê duyệt",
        "có nguy cơ trễ hạn",
    ] {
        assert!(figures.contains(words), "{words} in {figures}");
    }
    let officers = browser.text_of("main table.narrow").await;
    assert!(officers.contains("Đang giải quyết"));
    assert!(officers.contains("Trần Minh Quang"), "{officers}");
    browser.screenshot("home-leader").await;
}
