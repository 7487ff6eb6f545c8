//! Page and API timings on a large database (`motcua generate`), end to end
//! over HTTP on loopback: the overdue list's first page with its counts, the
//! leader's and the supervisor's home pages, the period report for a year,
//! the dossier page, the citizen's status page and the header search.
//!
//! ```sh
//! DATABASE_URL=sqlite://data/bench.db cargo run --release -- generate --dossiers 1000000
//! DATABASE_URL=sqlite://data/bench.db MOTCUA_DEMO_PASSWORD=... cargo bench --bench pages
//! ```
//! Prints the median and the 95th percentile of each, one request at a time.

use std::time::{Duration, Instant};

use motcua::config::{Config, HashCost};
use motcua::Application;

const ROUNDS: usize = 30;

struct Client {
    http: reqwest::Client,
    base: String,
}

impl Client {
    async fn login(base: &str, user: &str, password: &str) -> Client {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        let page = http
            .get(format!("{base}/login"))
            .send()
            .await
            .expect("login page")
            .text()
            .await
            .expect("text");
        let csrf = csrf_of(&page);
        let r = http
            .post(format!("{base}/login"))
            .form(&[
                ("csrf_token", csrf.as_str()),
                ("username", user),
                ("password", password),
                ("next", "/"),
            ])
            .send()
            .await
            .expect("login");
        assert_eq!(r.status().as_u16(), 303, "{user} logs in");
        Client {
            http,
            base: base.to_string(),
        }
    }

    async fn get(&self, path: &str) -> String {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("GET");
        assert!(r.status().is_success(), "{path}: {}", r.status());
        r.text().await.expect("body")
    }
}

fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker).expect("CSRF field") + marker.len();
    let end = html[start..].find('"').expect("end") + start;
    html[start..end].to_string()
}

fn report(name: &str, mut times: Vec<Duration>, first: Duration) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{name:<42} median {:>8.2} ms   p95 {:>8.2} ms   first {:>8.2} ms",
        ms(times[times.len() / 2]),
        ms(times[times.len() * 95 / 100]),
        ms(first)
    );
}

async fn time<F, Fut>(name: &str, rounds: usize, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = String>,
{
    // One warm-up request (caches, prepared statements), then the rounds;
    // the first one is reported too (what a cache does not hide).
    let started = Instant::now();
    f().await;
    let first = started.elapsed();
    let mut times = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let started = Instant::now();
        let _body = f().await;
        times.push(started.elapsed());
    }
    report(name, times, first);
}

#[tokio::main]
async fn main() {
    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL of a generated database");
    let password = std::env::var("MOTCUA_DEMO_PASSWORD").expect("MOTCUA_DEMO_PASSWORD");
    let config = Config {
        database_url: url.clone(),
        bind: "127.0.0.1:0".into(),
        public_url: "http://127.0.0.1:8080".into(),
        secret_key: None,
        admin_password: None,
        trust_proxy: false,
        session_idle_seconds: 3600,
        api_token_hours: 12,
        hash_cost: HashCost::Test,
        place: "Nha Trang".into(),
        delivery: motcua::config::Delivery::default(),
        metrics_token: None,
    };
    let app = Application::build(config).expect("app");
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    let supervisor = Client::login(&base, "giamsat", &password).await;
    let leader = Client::login(&base, "lanhdao", &password).await;
    println!(
        "Database: {}",
        if url.starts_with("postgres") {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );
    let count = supervisor.get("/ho-so").await;
    if let Some(line) = count.lines().find(|l| l.contains("class=\"count\"")) {
        println!("Dossiers: {}", line.trim());
    }
    time("overdue list, first page with counts", ROUNDS, || {
        supervisor.get("/bao-cao/qua-han?loai=overdue")
    })
    .await;
    time("overdue and due-soon list, first page", ROUNDS, || {
        supervisor.get("/bao-cao/qua-han")
    })
    .await;
    time("supervisor's home page", ROUNDS, || supervisor.get("/")).await;
    time("leader's home page", ROUNDS, || leader.get("/")).await;
    let year = chrono::Datelike::year(&chrono::Utc::now()) - 1;
    let period = format!("/bao-cao/dinh-ky?tu_ngay=01/01/{year}&den_ngay=31/12/{year}");
    time("period report for a year (page)", 10, || {
        supervisor.get(&period)
    })
    .await;
    // A dossier from the list, and its public status page by its QR token.
    let list = supervisor.get("/bao-cao/qua-han?loai=overdue").await;
    let code_at = list.find("href=\"/ho-so/").expect("a dossier") + "href=\"/ho-so/".len();
    let code = &list[code_at..code_at + list[code_at..].find('"').expect("end")];
    let dossier_path = format!("/ho-so/{code}");
    time("dossier page", ROUNDS, || supervisor.get(&dossier_path)).await;
    // The status page's link, as the receipt's QR code carries it (from the API).
    let token: serde_json::Value = supervisor
        .http
        .post(format!("{base}/api/v1/tokens"))
        .json(&serde_json::json!({"username": "giamsat", "password": password}))
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("json");
    let bearer = token["token"].as_str().expect("token").to_string();
    let detail: serde_json::Value = supervisor
        .http
        .get(format!("{base}/api/v1/dossiers/{code}"))
        .bearer_auth(&bearer)
        .send()
        .await
        .expect("dossier")
        .json()
        .await
        .expect("json");
    let lookup = detail["lookup_url"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    if let Some(at) = lookup.find("/tra-cuu/") {
        let token_path = &lookup[at..];
        let public = reqwest::Client::new();
        let url = format!("{base}{token_path}");
        time("citizen's status page (QR link)", ROUNDS, || {
            let (public, url) = (public.clone(), url.clone());
            async move {
                public
                    .get(url)
                    .send()
                    .await
                    .expect("GET")
                    .text()
                    .await
                    .expect("text")
            }
        })
        .await;
    }
    let name = {
        let at = list.find("<td>").expect("a cell") + 4;
        list[at..at + list[at..].find('<').expect("end")].to_string()
    };
    for (label, q) in [
        ("header search by name", name.as_str()),
        ("header search by code", code),
        ("header search by code tail", &code[code.len() - 11..]),
    ] {
        let form_page = supervisor.get("/ho-so").await;
        let csrf = csrf_of(&form_page);
        let q = q.to_string();
        time(label, ROUNDS, || {
            let (http, base, csrf, q) = (
                supervisor.http.clone(),
                supervisor.base.clone(),
                csrf.clone(),
                q.clone(),
            );
            async move {
                http.post(format!("{base}/ho-so"))
                    .form(&[("csrf_token", csrf.as_str()), ("q", q.as_str())])
                    .send()
                    .await
                    .expect("POST")
                    .text()
                    .await
                    .expect("text")
            }
        })
        .await;
    }
}
