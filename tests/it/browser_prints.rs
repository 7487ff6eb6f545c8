//! The printed forms as Chromium prints them: Mẫu 01-05 and the register,
//! each with the national motto on one line, the place and date on theirs,
//! on the number of pages its paper allows; PDFs and screenshots in
//! `target/screenshots/`.

use serde_json::json;

use crate::browser::Browser;
use crate::dossiers_api::valid_body;
use crate::helpers::{spawn_app, Backend};
use crate::processing::{act, apologise, ask_for_supplement, new_dossier, team};
use crate::reception::{applicant, post_reception};

const PASSWORD: &str = "xu-ly-ho-so-2026";

/// A5 portrait, its margins (top, right, bottom, left) and printable width.
const A5: ((f64, f64), (f64, f64, f64, f64), f64) = ((14.8, 21.0), (1.0, 1.0, 1.0, 1.4), 124.0);
const A4: ((f64, f64), (f64, f64, f64, f64), f64) = ((21.0, 29.7), (1.5, 1.5, 1.5, 2.5), 170.0);
const A4_LANDSCAPE: ((f64, f64), (f64, f64, f64, f64), f64) =
    ((29.7, 21.0), (1.0, 1.0, 1.0, 1.4), 273.0);

async fn check_print(
    browser: &Browser,
    url: &str,
    name: &str,
    paper: ((f64, f64), (f64, f64, f64, f64), f64),
    pages: usize,
) {
    browser.client.goto(url).await.expect("goto");
    browser.as_printed(paper.2).await;
    let title = browser.text_of("h1.doc-title").await;
    assert!(!title.is_empty(), "{name} has a title");
    assert_eq!(
        browser.lines_of(".motto-1").await,
        1,
        "{name}: the motto on one line"
    );
    assert_eq!(
        browser.lines_of(".motto-2").await,
        1,
        "{name}: the motto's second line"
    );
    assert_eq!(
        browser
            .js("var m = document.querySelector('.motto-1'); return m.scrollWidth <= m.clientWidth + 1")
            .await,
        json!(true),
        "{name}: the motto fits its column"
    );
    assert_eq!(
        browser.lines_of(".doc-place-date").await,
        1,
        "{name}: place and date on their line"
    );
    if browser
        .js("return !!document.querySelector('.doc-number')")
        .await
        == json!(true)
    {
        assert_eq!(
            browser.lines_of(".doc-number").await,
            1,
            "{name}: the number on one line"
        );
    }
    browser.screenshot(name).await;
    let printed = browser.print_pdf(name, paper.0, paper.1).await;
    assert_eq!(printed, pages, "{name}: {pages} page(s)");
}

#[tokio::test]
async fn the_counter_forms_print_on_their_paper() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = spawn_app(Backend::Sqlite).await.expect("app");
    let t = team(&app).await;
    let d = new_dossier(&app, &t, valid_body()).await;
    let code = d["code"].as_str().unwrap().to_string();
    // Through a supplement and an apology, for Mẫu 02, 04 and 05.
    ask_for_supplement(&app, &t, &code).await;
    let (s, _) = act(
        &app,
        &t.officer,
        &code,
        json!({"action": "receive_supplement"}),
    )
    .await;
    assert_eq!(s, 200);
    apologise(&app, &t, &code).await;
    // After the apology the page no longer offers a second one.
    let leader = app.other_browser();
    assert_eq!(
        leader.login("lanhdao", PASSWORD).await.status().as_u16(),
        303
    );
    let (_, page) = leader.get_text(&format!("/ho-so/{code}")).await;
    assert!(!page.contains("id=\"action-extend\""), "one apology only");
    assert!(page.contains("id=\"action-request_supplement\""));
    // Each office prints its own place name.
    let name = crate::citizens::office_name(&app).await;
    let r = app
        .post_form(
            "/admin/offices/1",
            "/admin/offices/1",
            &[
                ("name", name.as_str()),
                ("parent", ""),
                ("active", "on"),
                ("place", "Cam Ranh"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);

    // A refusal at the counter, for Mẫu 03.
    let clerk = app.other_browser();
    assert_eq!(
        clerk.login("tiepnhan", PASSWORD).await.status().as_u16(),
        303
    );
    let mut refusal = applicant();
    refusal.push(("outcome", "refusal"));
    refusal.push((
        "reason",
        "Yêu cầu đã hết thời hiệu thi hành án (Điều 30 Luật THADS).",
    ));
    let (r, _) = post_reception(&clerk, &refusal, None).await;
    assert_eq!(r.status().as_u16(), 303);
    let refusal_path = r.headers()["location"].to_str().unwrap().to_string();
    let mut supplement = applicant();
    supplement.extend([
        ("doc_0", "on"),
        ("doc_0_count", "1"),
        ("fix_0_name", "Đơn yêu cầu: bổ sung chữ ký"),
        ("fix_0_form", "original"),
        ("outcome", "supplement"),
    ]);
    let (r, _) = post_reception(&clerk, &supplement, None).await;
    assert_eq!(r.status().as_u16(), 303);
    let notice_path = r.headers()["location"].to_str().unwrap().to_string();

    browser
        .sign_in(&app.address, "tiepnhan", PASSWORD, "/")
        .await;
    let base = format!("{}/ho-so/{code}", app.address);
    // The receipt: focus on printing, the next reception one step away.
    browser
        .client
        .goto(&format!("{base}/bien-nhan"))
        .await
        .expect("goto");
    assert_eq!(
        browser.js("return document.activeElement.id").await,
        json!("print-receipt")
    );
    assert_eq!(
        browser
            .js("return document.getElementById('next-reception').getAttribute('href')")
            .await,
        json!("/tiep-nhan")
    );
    let place = browser.text_of(".doc-place-date").await;
    assert!(place.starts_with("Cam Ranh, ngày "), "{place}");
    check_print(
        &browser,
        &format!("{base}/bien-nhan"),
        "print-mau-01-receipt",
        A5,
        2,
    )
    .await;
    check_print(
        &browser,
        &format!("{base}/yeu-cau-bo-sung/1"),
        "print-mau-02-supplement",
        A5,
        1,
    )
    .await;
    check_print(
        &browser,
        &app.url(&refusal_path),
        "print-mau-03-refusal",
        A5,
        1,
    )
    .await;
    check_print(
        &browser,
        &app.url(&notice_path),
        "print-mau-02-counter-notice",
        A5,
        1,
    )
    .await;
    check_print(
        &browser,
        &format!("{base}/phieu-xin-loi"),
        "print-mau-04-apology",
        A5,
        1,
    )
    .await;
    check_print(
        &browser,
        &format!("{base}/phieu-kiem-soat"),
        "print-mau-05-control",
        A4,
        1,
    )
    .await;
    // Mẫu 05 leaves room to sign each handover.
    let signs = browser
        .js("return document.querySelectorAll('.control-table tbody tr .sign-cell').length")
        .await;
    let rows = browser
        .js("return document.querySelectorAll('.control-table tbody tr').length")
        .await;
    assert_eq!(signs.as_i64().unwrap(), 2 * rows.as_i64().unwrap());

    // The register: asked for a period, then a dense A4 landscape table.
    let today = motcua::domain::time::today();
    let (from, to) = (
        today.format("01/%m/%Y").to_string(),
        today.format("%d/%m/%Y").to_string(),
    );
    check_print(
        &browser,
        &app.url(&format!("/so-theo-doi/in?tu_ngay={from}&den_ngay={to}")),
        "print-register",
        A4_LANDSCAPE,
        1,
    )
    .await;
    browser.client.clone().close().await.expect("close");
}
