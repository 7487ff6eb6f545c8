//! Browser journeys in a real headless Chromium, driven through WebDriver.
//! Screenshots are saved under `target/screenshots/`.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};

use crate::helpers::{spawn_app, Backend, ADMIN_PASSWORD};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

/// A chromedriver process and a WebDriver session on it; both end on drop.
pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: std::path::PathBuf,
}

/// A Chrome DevTools command sent through chromedriver.
#[derive(Debug)]
pub struct Cdp {
    pub cmd: &'static str,
    pub params: serde_json::Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(serde_json::json!({"cmd": self.cmd, "params": self.params}).to_string()),
        )
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Browser {
    /// `None` (skipped) when Chromium is not installed, except in CI where it must be.
    pub async fn start() -> Option<Browser> {
        if !std::path::Path::new(CHROMEDRIVER).exists() || !std::path::Path::new(CHROMIUM).exists()
        {
            if std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false") {
                panic!("chromium and chromium-driver must be installed in CI");
            }
            eprintln!("skipped: chromium/chromedriver not installed, browser tests not run");
            return None;
        }
        let port = free_port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let profile =
            std::env::temp_dir().join(format!("motcua-chrome-{}", uuid::Uuid::new_v4().simple()));
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".to_string(),
            serde_json::json!({
                "binary": CHROMIUM,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--window-size=1280,900",
                    "--lang=vi-VN",
                    format!("--user-data-dir={}", profile.display()),
                ]
            }),
        );
        let url = format!("http://127.0.0.1:{port}");
        let mut last_error = String::new();
        for _ in 0..50 {
            match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(client) => {
                    return Some(Browser {
                        client,
                        driver,
                        _profile: profile,
                    })
                }
                Err(e) => {
                    last_error = e.to_string();
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        }
        panic!("cannot start a WebDriver session: {last_error}");
    }

    /// Signs in on the login page with `next` as the page to come back to,
    /// and waits until the browser is there.
    pub async fn sign_in(&self, base: &str, username: &str, password: &str, next: &str) {
        self.client
            .goto(&format!(
                "{base}/login?next={}",
                url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
            ))
            .await
            .expect("goto");
        self.fill("#username", username).await;
        self.fill("#password", password).await;
        self.click("form[action='/login'] button").await;
        self.wait_for_path(next.split('?').next().unwrap_or(next))
            .await;
    }

    pub async fn click(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .expect(css)
            .click()
            .await
            .expect("click");
    }

    /// Runs a script in the page and returns its value.
    pub async fn js(&self, script: &str) -> serde_json::Value {
        self.client
            .execute(script, vec![])
            .await
            .expect("script runs")
    }

    /// Lays the page out as printed (print media) on paper whose printable
    /// width is `width_mm`.
    pub async fn as_printed(&self, width_mm: f64) {
        self.client
            .issue_cmd(Cdp {
                cmd: "Emulation.setEmulatedMedia",
                params: serde_json::json!({"media": "print"}),
            })
            .await
            .expect("print media");
        self.client
            .issue_cmd(Cdp {
                cmd: "Emulation.setDeviceMetricsOverride",
                params: serde_json::json!({
                    "width": (width_mm * 96.0 / 25.4).round() as i64,
                    "height": 1000, "deviceScaleFactor": 1, "mobile": false
                }),
            })
            .await
            .expect("page width");
    }

    /// How many lines the text of the first `css` element takes.
    pub async fn lines_of(&self, css: &str) -> i64 {
        let script = format!(
            "var el = document.querySelector({css:?}); if (!el) {{ return -1; }} \
             var r = document.createRange(); r.selectNodeContents(el); \
             var tops = Array.from(r.getClientRects()).map(function (x) {{ return Math.round(x.top); }}); \
             return new Set(tops).size;"
        );
        self.js(&script).await.as_i64().unwrap_or(-1)
    }

    /// The page printed to PDF on paper of `size_cm` with `margins_cm`
    /// (top, right, bottom, left), saved as `target/screenshots/<name>.pdf`;
    /// returns its number of pages.
    pub async fn print_pdf(
        &self,
        name: &str,
        size_cm: (f64, f64),
        margins_cm: (f64, f64, f64, f64),
    ) -> usize {
        use fantoccini::wd::{PrintConfiguration, PrintMargins, PrintSize};
        let pdf = self
            .client
            .print(
                PrintConfiguration::builder()
                    .size(PrintSize {
                        width: size_cm.0,
                        height: size_cm.1,
                    })
                    .margins(PrintMargins {
                        top: margins_cm.0,
                        right: margins_cm.1,
                        bottom: margins_cm.2,
                        left: margins_cm.3,
                    })
                    .build()
                    .expect("paper"),
            )
            .await
            .expect("print to PDF");
        assert!(pdf.starts_with(b"%PDF"));
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::write(dir.join(format!("{name}.pdf")), &pdf).expect("write pdf");
        pdf.windows(b"/Type /Page\n".len())
            .filter(|w| w.starts_with(b"/Type /Page") && !w.starts_with(b"/Type /Pages"))
            .count()
    }

    /// Fails when the page scrolls sideways (on a phone-sized window).
    pub async fn assert_fits_width(&self) {
        let fits = self
            .client
            .execute(
                "return document.documentElement.scrollWidth <= window.innerWidth",
                vec![],
            )
            .await
            .expect("js");
        assert_eq!(
            fits,
            serde_json::json!(true),
            "no horizontal scrolling on a phone"
        );
    }

    /// Saves a PNG of the current page as `target/screenshots/<name>.png`.
    pub async fn screenshot(&self, name: &str) -> std::path::PathBuf {
        let png = self.client.screenshot().await.expect("screenshot");
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, &png).expect("write screenshot");
        assert!(png.len() > 1000, "a real picture");
        path
    }

    pub async fn fill(&self, css: &str, text: &str) {
        let field = self.client.find(Locator::Css(css)).await.expect(css);
        field.clear().await.expect("clear");
        field.send_keys(text).await.expect("type");
    }

    /// The text of the first element matching `css`, retried while a page is
    /// loading (an element of the page being left goes stale).
    pub async fn text_of(&self, css: &str) -> String {
        let mut last = String::new();
        for _ in 0..100 {
            match self.client.find(Locator::Css(css)).await {
                Ok(el) => match el.text().await {
                    Ok(text) => return text,
                    Err(e) => last = e.to_string(),
                },
                Err(e) => last = e.to_string(),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{css}: {last}");
    }

    /// The text of `css` once it reads `expected` (after a click that reloads
    /// the same page, whose old text may still be there); the last text read
    /// when it never does.
    pub async fn wait_for_text(&self, css: &str, expected: &str) -> String {
        let mut last = String::new();
        for _ in 0..50 {
            last = self.text_of(css).await;
            if last == expected {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        last
    }

    /// Waits until the browser is on `path` (after a click that navigates).
    pub async fn wait_for_path(&self, path: &str) {
        for _ in 0..100 {
            if let Ok(url) = self.client.current_url().await {
                if url.path() == path {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the browser never reached {path}");
    }
}

#[tokio::test]
async fn staff_log_in_and_see_the_home_page() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = spawn_app(Backend::Sqlite).await.expect("app");
    // The front door's staff link leads to the login page, focus in the
    // username field.
    browser.client.goto(&app.url("/")).await.expect("goto");
    browser
        .client
        .find(Locator::Css(".front-staff a[href='/login']"))
        .await
        .expect("staff link")
        .click()
        .await
        .expect("click");
    browser.wait_for_path("/login").await;
    let url = browser.client.current_url().await.expect("url");
    assert!(url.path().starts_with("/login"), "{url}");
    let focused = browser
        .client
        .execute("return document.activeElement.id", vec![])
        .await
        .expect("js");
    assert_eq!(focused, serde_json::json!("username"));

    // A wrong password first: the message shows, the username stays.
    browser.fill("#username", "admin").await;
    browser.fill("#password", "sai-mat-khau-1").await;
    browser
        .client
        .find(Locator::Css("form[action='/login'] button"))
        .await
        .expect("button")
        .click()
        .await
        .expect("click");
    let summary = browser.text_of(".error-summary").await;
    assert!(
        summary.contains("Tên đăng nhập hoặc mật khẩu không đúng."),
        "{summary}"
    );
    browser.screenshot("login-error").await;

    browser.fill("#password", ADMIN_PASSWORD).await;
    // Enter submits.
    browser
        .client
        .find(Locator::Css("#password"))
        .await
        .expect("password")
        .send_keys("\u{E007}")
        .await
        .expect("enter");
    browser.wait_for_path("/").await;
    let heading = browser.text_of("main h1").await;
    assert_eq!(heading, "Xin chào, Quản trị hệ thống");
    let nav = browser.text_of("nav.main-nav").await;
    assert!(
        nav.contains("Người dùng") && nav.contains("Đơn vị"),
        "{nav}"
    );
    let shot = browser.screenshot("home").await;
    eprintln!("screenshot: {}", shot.display());

    // Log out from the header.
    browser
        .client
        .find(Locator::Css("form[action='/logout'] button"))
        .await
        .expect("logout")
        .click()
        .await
        .expect("click");
    browser.wait_for_path("/login").await;
    let notice = browser.text_of(".flash").await;
    assert_eq!(notice, "Bạn đã đăng xuất.");
    browser.client.clone().close().await.expect("close");
}

#[tokio::test]
async fn the_calendar_page_shows_a_year_and_the_catalog_fits_a_phone() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = spawn_app(Backend::Sqlite).await.expect("app");
    browser
        .client
        .goto(&app.url("/login?next=%2Fadmin%2Fcalendar%3Fyear%3D2026"))
        .await
        .expect("goto");
    browser.fill("#username", "admin").await;
    browser.fill("#password", ADMIN_PASSWORD).await;
    browser
        .client
        .find(Locator::Css("form[action='/login'] button"))
        .await
        .expect("button")
        .click()
        .await
        .expect("click");
    browser.wait_for_path("/admin/calendar").await;
    let heading = browser.text_of("main h1").await;
    assert_eq!(heading, "Lịch nghỉ lễ năm 2026");
    // Tết 17/02/2026 is marked as a holiday in February's grid.
    let tet = browser
        .client
        .find(Locator::XPath(
            "//table[caption='Tháng 2']//td[normalize-space()='17']",
        ))
        .await
        .expect("17/02 cell");
    assert_eq!(
        tet.attr("class").await.expect("class").as_deref(),
        Some("cal-day holiday")
    );
    assert_eq!(
        tet.attr("title").await.expect("title").as_deref(),
        Some("Tết Nguyên đán")
    );
    let swap = browser
        .client
        .find(Locator::XPath(
            "//table[caption='Tháng 1']//td[normalize-space()='10']",
        ))
        .await
        .expect("10/01 cell");
    assert_eq!(
        swap.attr("class").await.expect("class").as_deref(),
        Some("cal-day swap")
    );
    browser.screenshot("admin-calendar-2026").await;
    // 24/11/2026, Ngày Văn hóa Việt Nam.
    let culture = browser
        .client
        .find(Locator::XPath(
            "//table[caption='Tháng 11']//td[normalize-space()='24']",
        ))
        .await
        .expect("24/11 cell");
    assert_eq!(
        culture.attr("title").await.expect("title").as_deref(),
        Some("Ngày Văn hóa Việt Nam")
    );

    // 2027 (official schedule) and 2028 (by rule): Tết's weekdays off.
    for (year, month, days, source) in [
        (2027, "Tháng 2", ["4", "5", "8", "9", "10"], "02/10/2026"),
        (
            2028,
            "Tháng 1",
            ["24", "25", "26", "27", "28"],
            "Chưa có lịch chính thức",
        ),
    ] {
        browser
            .client
            .goto(&app.url(&format!("/admin/calendar?year={year}")))
            .await
            .expect("goto");
        assert_eq!(
            browser.text_of("main h1").await,
            format!("Lịch nghỉ lễ năm {year}")
        );
        assert!(browser.text_of("main").await.contains(source), "{year}");
        for day in days {
            let cell = browser
                .client
                .find(Locator::XPath(&format!(
                    "//table[caption='{month}']//td[normalize-space()='{day}']"
                )))
                .await
                .expect("Tết cell");
            assert_eq!(
                cell.attr("class").await.expect("class").as_deref(),
                Some("cal-day holiday"),
                "{day} {month} {year}"
            );
        }
        let back = if year == 2027 { "11" } else { "31" };
        let cell = browser
            .client
            .find(Locator::XPath(&format!(
                "//table[caption='{month}']//td[normalize-space()='{back}']"
            )))
            .await
            .expect("back to work");
        assert_eq!(
            cell.attr("class").await.expect("class").as_deref(),
            Some("cal-day work"),
            "{back} {month} {year}"
        );
        browser.screenshot(&format!("admin-calendar-{year}")).await;
    }

    // The public catalog on a phone-sized window, searched without accents.
    browser
        .client
        .set_window_size(390, 844)
        .await
        .expect("resize");
    browser
        .client
        .goto(&app.url("/thu-tuc?q=xac+nhan"))
        .await
        .expect("goto");
    let list = browser.text_of(".procedure-list").await;
    assert!(
        list.contains("Thủ tục xác nhận kết quả thi hành án"),
        "{list}"
    );
    assert!(!list.contains("Thủ tục yêu cầu thi hành án"));
    browser.assert_fits_width().await;
    browser.screenshot("public-catalog-phone").await;
    browser.client.clone().close().await.expect("close");
}
