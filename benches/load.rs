//! Throughput and latency under load, on loopback, against the release
//! binary (`motcua serve`, as production runs it, logging at `info`), with
//! wrk (Debian's package) as the load generator: a trivial handler
//! (`/livez`) as the ceiling, the citizen's status page, the dossier page,
//! the overdue list and receptions through `POST /api/v1/dossiers`; on
//! SQLite with one instance, then on PostgreSQL with two instances on one
//! database when `TEST_DATABASE_URL` names a server. Receptions are checked
//! gapless afterwards; memory is read from `/proc` idle and at its peak.
//!
//! ```sh
//! TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres cargo bench --bench load
//! ```
//! `BENCH_SECONDS` (default 10) and `BENCH_CONNECTIONS` (default 16) change the run.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

const ADMIN_PASSWORD: &str = "quan-tri-tai-2026!";
const PASSWORD: &str = "mat-khau-tai-2026!";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("address")
        .port()
}

struct Server {
    child: Child,
    base: String,
}

impl Server {
    // The child is waited for by `Drop` once it is a `Server`; on the
    // failure path the bench exits, and the child with it.
    #[allow(clippy::zombie_processes)]
    async fn start(database_url: &str) -> Server {
        let port = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_motcua"))
            .arg("serve")
            .env("DATABASE_URL", database_url)
            .env("MOTCUA_BIND", format!("127.0.0.1:{port}"))
            .env("MOTCUA_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start motcua serve");
        let base = format!("http://127.0.0.1:{port}");
        let probe = reqwest::Client::new();
        for _ in 0..600 {
            if probe
                .get(format!("{base}/healthz"))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return Server { child, base };
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("motcua serve did not start");
    }

    /// Resident memory now and at its peak, in MiB.
    fn memory(&self) -> (f64, f64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        let kib = |key: &str| -> f64 {
            status
                .lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        (kib("VmRSS:") / 1024.0, kib("VmHWM:") / 1024.0)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker).expect("CSRF field") + marker.len();
    let end = html[start..].find('"').expect("quote") + start;
    html[start..end].to_string()
}

/// Logs in; answers the client and its `Cookie` header value.
async fn login(base: &str, user: &str, password: &str) -> (reqwest::Client, String) {
    let http = browser();
    let page = http
        .get(format!("{base}/login"))
        .send()
        .await
        .expect("login page")
        .text()
        .await
        .expect("text");
    let r = http
        .post(format!("{base}/login"))
        .form(&[
            ("csrf_token", csrf_of(&page).as_str()),
            ("username", user),
            ("password", password),
            ("next", "/"),
        ])
        .send()
        .await
        .expect("login");
    assert_eq!(r.status().as_u16(), 303, "{user} logs in");
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("motcua_session="))
        .expect("session cookie")
        .split(';')
        .next()
        .expect("cookie")
        .to_string();
    (http, cookie)
}

async fn create_user(admin: &reqwest::Client, base: &str, username: &str, role: &str) {
    let page = admin
        .get(format!("{base}/admin/users/new"))
        .send()
        .await
        .expect("form")
        .text()
        .await
        .expect("text");
    let r = admin
        .post(format!("{base}/admin/users"))
        .form(&[
            ("csrf_token", csrf_of(&page).as_str()),
            ("username", username),
            ("full_name", "Nguyễn Văn Tải"),
            ("role", role),
            ("office", motcua::services::seed::DEFAULT_OFFICE_CODE),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .expect("create user");
    assert_eq!(r.status().as_u16(), 303, "user {username}");
}

async fn api_token(base: &str, user: &str) -> String {
    let r: Value = reqwest::Client::new()
        .post(format!("{base}/api/v1/tokens"))
        .json(&json!({"username": user, "password": PASSWORD}))
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("json");
    r["token"].as_str().expect("token").to_string()
}

fn reception_body() -> Value {
    json!({
        "procedure_code": "THADS-YCTHA",
        "channel": "counter",
        "applicant": {
            "full_name": "Nguyễn Văn An",
            "id_number": "056090001234",
            "phone": "0912 345 678",
            "email": "an.nguyen@example.vn",
            "address": "12 Trần Phú, phường Nha Trang, Khánh Hòa"
        },
        "documents": [
            {"name": "Đơn yêu cầu thi hành án", "form": "original", "count": 1},
            {"name": "Bản án, quyết định được yêu cầu thi hành", "form": "copy", "count": 2}
        ],
        "return_method": "counter",
        "note": "Thử tải"
    })
}

/// What one wrk run measured.
#[derive(Default, Clone)]
struct Run {
    per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
    requests: u64,
    bad: u64,
}

fn millis(v: &str) -> f64 {
    let (n, unit) = v.split_at(v.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(v.len()));
    let n: f64 = n.parse().unwrap_or(f64::NAN);
    match unit {
        "us" => n / 1000.0,
        "ms" => n,
        "s" => n * 1000.0,
        "m" => n * 60_000.0,
        _ => f64::NAN,
    }
}

fn parse_wrk(out: &str) -> Run {
    let mut run = Run::default();
    for line in out.lines().map(str::trim) {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["Requests/sec:", v] => run.per_second = v.parse().unwrap_or(0.0),
            ["50%", v] => run.p50_ms = millis(v),
            ["99%", v] => run.p99_ms = millis(v),
            [n, "requests", "in", ..] => run.requests = n.parse().unwrap_or(0),
            ["Non-2xx", "or", "3xx", "responses:", n] => run.bad = n.parse().unwrap_or(0),
            ["Socket", "errors:", ..] => {
                run.bad += words
                    .iter()
                    .filter_map(|w| w.trim_end_matches(',').parse::<u64>().ok())
                    .sum::<u64>()
            }
            _ => {}
        }
    }
    run
}

/// Starts wrk on `url` with `headers`, and a POST body when given.
fn wrk(url: &str, headers: &[String], body: Option<&str>, connections: u32, secs: u32) -> Child {
    wrk_script(url, headers, body.map(|b| format!(
        "wrk.method = \"POST\"\nwrk.body = [==[{b}]==]\nwrk.headers[\"Content-Type\"] = \"application/json\"\n"
    )), connections, secs)
}

/// GETs of paths chosen at random from `paths`, on the server of `base`.
fn wrk_paths(base: &str, paths: &[String], connections: u32, secs: u32) -> Child {
    let list: Vec<String> = paths.iter().map(|p| format!("\"{p}\"")).collect();
    let script = format!(
        "local paths = {{{}}}\nrequest = function()\n  return wrk.format(nil, paths[math.random(#paths)])\nend\n",
        list.join(",")
    );
    wrk_script(&format!("{base}/"), &[], Some(script), connections, secs)
}

fn wrk_script(
    url: &str,
    headers: &[String],
    script: Option<String>,
    connections: u32,
    secs: u32,
) -> Child {
    let mut cmd = Command::new("wrk");
    cmd.args([
        "-t2",
        &format!("-c{connections}"),
        &format!("-d{secs}s"),
        "--latency",
    ]);
    for h in headers {
        cmd.args(["-H", h]);
    }
    if let Some(text) = script {
        let file = std::env::temp_dir().join(format!("motcua-wrk-{}.lua", uuid::Uuid::new_v4()));
        std::fs::write(&file, text).expect("script");
        cmd.arg("-s").arg(file);
    }
    cmd.arg(url)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("wrk (apt-get install wrk)")
}

fn finish(child: Child) -> Run {
    let out = child.wait_with_output().expect("wrk output");
    parse_wrk(&String::from_utf8_lossy(&out.stdout))
}

fn print_row(name: &str, r: &Run, ceiling: f64) {
    println!(
        "{name:<44} {:>9.0} {:>8.2} {:>8.2} {:>6.3} {:>7}",
        r.per_second,
        r.p50_ms,
        r.p99_ms,
        if ceiling > 0.0 {
            r.per_second / ceiling
        } else {
            0.0
        },
        r.bad
    );
}

struct Setup {
    /// Status pages of 500 different dossiers, as many citizens read them.
    many_status_paths: Vec<String>,
    reception_token: String,
    leader_cookie: String,
    status_path: String,
    dossier_path: String,
}

async fn set_up(base: &str) -> Setup {
    let (admin, _) = login(base, "admin", ADMIN_PASSWORD).await;
    create_user(&admin, base, "tiepnhan", "reception").await;
    create_user(&admin, base, "lanhdao", "leader").await;
    let reception_token = api_token(base, "tiepnhan").await;
    let (_, leader_cookie) = login(base, "lanhdao", PASSWORD).await;
    let d: Value = reqwest::Client::new()
        .post(format!("{base}/api/v1/dossiers"))
        .bearer_auth(&reception_token)
        .json(&reception_body())
        .send()
        .await
        .expect("reception")
        .json()
        .await
        .expect("json");
    let lookup = d["lookup_url"].as_str().expect("lookup_url");
    let mut many_status_paths = Vec::new();
    let http = reqwest::Client::new();
    for _ in 0..500 {
        let other: Value = http
            .post(format!("{base}/api/v1/dossiers"))
            .bearer_auth(&reception_token)
            .json(&reception_body())
            .send()
            .await
            .expect("reception")
            .json()
            .await
            .expect("json");
        let url = other["lookup_url"].as_str().expect("lookup_url");
        many_status_paths.push(format!(
            "/tra-cuu/{}",
            url.rsplit('/').next().expect("token")
        ));
    }
    Setup {
        many_status_paths,
        reception_token,
        leader_cookie,
        status_path: format!("/tra-cuu/{}", lookup.rsplit('/').next().expect("token")),
        dossier_path: format!("/ho-so/{}", d["code"].as_str().expect("code")),
    }
}

/// Receptions are numbered 1..n with no gap: n rows, the highest line n.
fn gapless(database_url: &str) -> (i64, bool) {
    let db = motcua::db::Db::connect(database_url).expect("database");
    let mut conn = db.get().expect("connection");
    let (count, highest) = motcua::db::dossiers::register_span(&mut conn).expect("count");
    (count, count == highest)
}

fn header_row(title: &str) {
    println!("\n{title}");
    println!(
        "{:<44} {:>9} {:>8} {:>8} {:>6} {:>7}",
        "target", "req/s", "p50 ms", "p99 ms", "ratio", "errors"
    );
}

#[tokio::main]
async fn main() {
    let secs: u32 = std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let conns: u32 = std::env::var("BENCH_CONNECTIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(16);
    println!(
        "wrk -t2 -c{conns} -d{secs}s on loopback; {} cores; release build of motcua serve",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );

    // SQLite, one instance.
    let dir = std::env::temp_dir().join(format!("motcua-load-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("dir");
    let sqlite = dir.join("load.sqlite3").to_string_lossy().into_owned();
    let server = Server::start(&sqlite).await;
    let base = server.base.clone();
    let (started, _) = server.memory();
    let s = set_up(&base).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (idle, _) = server.memory();
    header_row("SQLite, one instance");
    let bearer = format!("Authorization: Bearer {}", s.reception_token);
    let body = reception_body().to_string();
    let receptions = finish(wrk(
        &format!("{base}/api/v1/dossiers"),
        std::slice::from_ref(&bearer),
        Some(&body),
        conns,
        secs,
    ));
    let trivial = finish(wrk(&format!("{base}/livez"), &[], None, conns, secs));
    print_row("trivial handler GET /livez", &trivial, trivial.per_second);
    let status = finish(wrk(
        &format!("{base}{}", s.status_path),
        &[],
        None,
        conns,
        secs,
    ));
    print_row(
        "status page GET /tra-cuu/{token}",
        &status,
        trivial.per_second,
    );
    let many = finish(wrk_paths(&base, &s.many_status_paths, conns, secs));
    print_row(
        "status pages of 500 dossiers at random",
        &many,
        trivial.per_second,
    );
    let cookie = format!("Cookie: {}", s.leader_cookie);
    let page = finish(wrk(
        &format!("{base}{}", s.dossier_path),
        std::slice::from_ref(&cookie),
        None,
        conns,
        secs,
    ));
    print_row("dossier page GET /ho-so/{code}", &page, trivial.per_second);
    let overdue = finish(wrk(
        &format!("{base}/bao-cao/qua-han"),
        std::slice::from_ref(&cookie),
        None,
        conns,
        secs,
    ));
    print_row(
        "overdue list GET /bao-cao/qua-han",
        &overdue,
        trivial.per_second,
    );
    print_row(
        "receptions POST /api/v1/dossiers",
        &receptions,
        trivial.per_second,
    );
    let (_, peak) = server.memory();
    let (count, ok) = gapless(&sqlite);
    println!(
        "dossiers {count}, codes gapless: {}; memory at start {started:.1} MiB, idle after set-up {idle:.1} MiB, peak under load {peak:.1} MiB",
        if ok { "yes" } else { "NO" }
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);

    // PostgreSQL, two instances on one database.
    let Some(pg) = std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
    else {
        println!("\nPostgreSQL skipped: set TEST_DATABASE_URL");
        return;
    };
    let name = format!("motcua_load_{}", uuid::Uuid::new_v4().simple());
    let admin_db = motcua::db::Db::connect(&pg).expect("PostgreSQL");
    {
        use diesel::RunQueryDsl;
        let mut conn = admin_db.get().expect("connection");
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut *conn)
            .expect("create database");
    }
    let url = format!("{}/{name}", pg.rsplit_once('/').expect("path").0);
    let (a, b) = (Server::start(&url).await, Server::start(&url).await);
    let s = set_up(&a.base).await;
    header_row("PostgreSQL, two instances (half the connections each)");
    let bearer = format!("Authorization: Bearer {}", s.reception_token);
    let half = (conns / 2).max(1);
    let runs: Vec<Run> = [&a, &b]
        .iter()
        .map(|srv| {
            wrk(
                &format!("{}/api/v1/dossiers", srv.base),
                std::slice::from_ref(&bearer),
                Some(&body),
                half,
                secs,
            )
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(finish)
        .collect();
    let both = Run {
        per_second: runs.iter().map(|r| r.per_second).sum(),
        p50_ms: runs.iter().map(|r| r.p50_ms).fold(0.0, f64::max),
        p99_ms: runs.iter().map(|r| r.p99_ms).fold(0.0, f64::max),
        requests: runs.iter().map(|r| r.requests).sum(),
        bad: runs.iter().map(|r| r.bad).sum(),
    };
    let status_runs: Vec<Run> = [&a, &b]
        .iter()
        .map(|srv| {
            wrk(
                &format!("{}{}", srv.base, s.status_path),
                &[],
                None,
                half,
                secs,
            )
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(finish)
        .collect();
    let status_both = Run {
        per_second: status_runs.iter().map(|r| r.per_second).sum(),
        p50_ms: status_runs.iter().map(|r| r.p50_ms).fold(0.0, f64::max),
        p99_ms: status_runs.iter().map(|r| r.p99_ms).fold(0.0, f64::max),
        requests: status_runs.iter().map(|r| r.requests).sum(),
        bad: status_runs.iter().map(|r| r.bad).sum(),
    };
    print_row("status page, both instances", &status_both, 0.0);
    print_row("receptions, both instances", &both, 0.0);
    let (count, ok) = gapless(&url);
    println!(
        "dossiers {count} ({} acknowledged by wrk), codes gapless: {}; peak memory {:.1} and {:.1} MiB",
        both.requests.saturating_sub(both.bad),
        if ok { "yes" } else { "NO" },
        a.memory().1,
        b.memory().1
    );
    drop((a, b));
    let mut conn = admin_db.get().expect("connection");
    use diesel::RunQueryDsl;
    let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut *conn);
}
