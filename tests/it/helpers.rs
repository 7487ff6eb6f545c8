//! Starts the real application on a random port with a fresh database, and
//! talks HTTP to it like a browser (cookies) or an API client.

use std::sync::atomic::{AtomicUsize, Ordering};

use diesel::{Connection, RunQueryDsl};
use motcua::config::HashCost;
use motcua::{Application, Config};

pub const ADMIN_PASSWORD: &str = "quan-tri-2026!";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub database_url: String,
    pub generated_admin_password: Option<String>,
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// A fresh, empty database for one test: a temporary SQLite file, or a new
/// PostgreSQL database next to `TEST_DATABASE_URL`. `None` when PostgreSQL is
/// not configured (a failure in CI, a plain skip on a laptop).
pub fn fresh_database(backend: Backend) -> Option<String> {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let tag = format!("{}_{}", std::process::id(), n);
    match backend {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join("motcua-tests");
            std::fs::create_dir_all(&dir).expect("temp dir");
            let path = dir.join(format!("t_{tag}_{}.sqlite3", uuid::Uuid::new_v4().simple()));
            Some(path.to_string_lossy().into_owned())
        }
        Backend::Postgres => {
            let base = match std::env::var("TEST_DATABASE_URL") {
                Ok(u) if !u.is_empty() => u,
                _ => {
                    if in_ci() {
                        panic!("TEST_DATABASE_URL must be set in CI: the PostgreSQL suite cannot be skipped");
                    }
                    eprintln!("skipped: TEST_DATABASE_URL is not set, PostgreSQL tests not run");
                    return None;
                }
            };
            let name = format!("motcua_t_{}", uuid::Uuid::new_v4().simple());
            motcua::db::libpq::keep_openssl_until_exit();
            let mut conn = diesel::PgConnection::establish(&base)
                .unwrap_or_else(|e| panic!("cannot connect to TEST_DATABASE_URL: {e}"));
            diesel::sql_query(format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .expect("create test database");
            let (prefix, _) = base.rsplit_once('/').expect("database URL has a path");
            Some(format!("{prefix}/{name}"))
        }
    }
}

pub fn test_config(database_url: &str) -> Config {
    Config {
        database_url: database_url.to_string(),
        bind: "127.0.0.1:0".to_string(),
        public_url: "http://127.0.0.1:8080".to_string(),
        secret_key: None,
        admin_password: Some(ADMIN_PASSWORD.to_string()),
        trust_proxy: false,
        session_idle_seconds: 30 * 60,
        api_token_hours: 12,
        hash_cost: HashCost::Test,
        place: "Nha Trang".to_string(),
        delivery: motcua::config::Delivery::default(),
        metrics_token: None,
    }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// Starts the app with `config` adjusted by `tweak`.
pub async fn spawn_with(backend: Backend, tweak: impl FnOnce(&mut Config)) -> Option<TestApp> {
    let url = fresh_database(backend)?;
    let mut config = test_config(&url);
    tweak(&mut config);
    Some(start(config))
}

pub fn start(config: Config) -> TestApp {
    let database_url = config.database_url.clone();
    let app = Application::build_with_workers(config, Some(1)).expect("app builds");
    let port = app.port();
    let generated_admin_password = app.generated_admin_password.clone();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        client: client(),
        database_url,
        generated_admin_password,
    }
}

pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_with(backend, |_| {}).await
}

/// The value of the first `name="csrf_token"` field in a page.
pub fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker).expect("page has a CSRF field") + marker.len();
    let end = html[start..].find('"').expect("closing quote") + start;
    html[start..end].to_string()
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    pub async fn get_text(&self, path: &str) -> (u16, String) {
        let r = self.get(path).await;
        let status = r.status().as_u16();
        (status, r.text().await.expect("body"))
    }

    /// A CSRF token valid for this client's session (taken from a page it can see).
    pub async fn csrf(&self, page: &str) -> String {
        let (_, body) = self.get_text(page).await;
        csrf_of(&body)
    }

    /// Posts a form with the session's CSRF token added.
    pub async fn post_form(
        &self,
        path: &str,
        token_page: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let token = self.csrf(token_page).await;
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("csrf_token", &token));
        self.client
            .post(self.url(path))
            .form(&all)
            .send()
            .await
            .expect("POST")
    }

    pub async fn login(&self, username: &str, password: &str) -> reqwest::Response {
        self.post_form(
            "/login",
            "/login",
            &[
                ("username", username),
                ("password", password),
                ("next", "/"),
            ],
        )
        .await
    }

    pub async fn login_admin(&self) {
        let r = self.login("admin", ADMIN_PASSWORD).await;
        assert_eq!(r.status().as_u16(), 303, "admin logs in");
    }

    /// A new client (a second browser) on the same app.
    pub fn other_browser(&self) -> TestApp {
        TestApp {
            address: self.address.clone(),
            client: client(),
            database_url: self.database_url.clone(),
            generated_admin_password: None,
        }
    }

    /// Creates a user through the admin pages (this client must be an admin).
    pub async fn create_user(&self, username: &str, role: &str, password: &str) {
        let r = self
            .post_form(
                "/admin/users",
                "/admin/users/new",
                &[
                    ("username", username),
                    ("full_name", "Nguyễn Văn Thử"),
                    ("role", role),
                    ("office", motcua::services::seed::DEFAULT_OFFICE_CODE),
                    ("password", password),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303, "user {username} created");
    }

    pub async fn api_token(&self, username: &str, password: &str) -> reqwest::Response {
        self.client
            .post(self.url("/api/v1/tokens"))
            .json(&serde_json::json!({"username": username, "password": password}))
            .send()
            .await
            .expect("POST tokens")
    }
}

/// Declares each async test `fn(TestApp)` once per backend:
/// `name::sqlite` always runs, `name::postgres` when `TEST_DATABASE_URL` is set.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[tokio::test]
                async fn sqlite() {
                    let app = $crate::helpers::spawn_app($crate::helpers::Backend::Sqlite)
                        .await
                        .expect("sqlite always runs");
                    super::$name(app).await;
                }

                #[tokio::test]
                async fn postgres() {
                    if let Some(app) = $crate::helpers::spawn_app($crate::helpers::Backend::Postgres).await {
                        super::$name(app).await;
                    }
                }
            }
        )+
    };
}

/// The id in the `{prefix}{id}` link whose text is `label`, in a list page.
pub fn link_id(html: &str, label: &str, prefix: &str) -> String {
    let at = html
        .find(&format!(">{label}</a>"))
        .unwrap_or_else(|| panic!("{label} listed"));
    let start = html[..at].rfind(prefix).expect("link") + prefix.len();
    let end = html[start..].find('"').expect("closing quote") + start;
    html[start..end].to_string()
}

/// Runs raw SQL on a test database, as an older version of the product or an
/// operator would have left it.
pub fn run_sql(database_url: &str, statements: &[&str]) {
    if database_url.starts_with("postgres") {
        let mut conn = diesel::PgConnection::establish(database_url).expect("connect");
        for s in statements {
            diesel::sql_query(*s).execute(&mut conn).expect(s);
        }
    } else {
        let mut conn = diesel::SqliteConnection::establish(database_url).expect("connect");
        for s in statements {
            diesel::sql_query(*s).execute(&mut conn).expect(s);
        }
    }
}

/// Takes the database back before the newest migration, as the previous
/// release left it.
pub fn revert_last_migration(database_url: &str) {
    use diesel_migrations::MigrationHarness;
    if database_url.starts_with("postgres") {
        let mut conn = diesel::PgConnection::establish(database_url).expect("connect");
        conn.revert_last_migration(motcua::db::POSTGRES_MIGRATIONS)
            .expect("revert");
    } else {
        let mut conn = diesel::SqliteConnection::establish(database_url).expect("connect");
        conn.revert_last_migration(motcua::db::SQLITE_MIGRATIONS)
            .expect("revert");
    }
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// `SELECT ... AS n` (one BIGINT) on a test database.
pub fn count_sql(database_url: &str, sql: &str) -> i64 {
    if database_url.starts_with("postgres") {
        let mut c = diesel::PgConnection::establish(database_url).expect("connect");
        diesel::sql_query(sql)
            .get_result::<Count>(&mut c)
            .expect(sql)
            .n
    } else {
        let mut c = diesel::SqliteConnection::establish(database_url).expect("connect");
        diesel::sql_query(sql)
            .get_result::<Count>(&mut c)
            .expect(sql)
            .n
    }
}

/// A port free at the time of asking.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("address")
        .port()
}

/// The real `motcua serve` binary in its own process, as production runs it.
pub struct Process {
    child: std::process::Child,
    pub port: u16,
    pub database_url: String,
}

impl Process {
    /// Starts `motcua serve` on `database_url` (with `env` added) and waits
    /// until `/healthz` answers.
    pub async fn serve(database_url: &str, env: &[(&str, &str)]) -> Process {
        use std::io::BufRead;
        // Port 0: the server binds a free port itself and prints it, so no
        // other test can take it in between.
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_motcua"));
        cmd.arg("serve")
            .env("DATABASE_URL", database_url)
            .env("MOTCUA_BIND", "127.0.0.1:0")
            .env("MOTCUA_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("start motcua serve");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
            {
                if let Some(rest) = line.split("đang chạy tại http://127.0.0.1:").nth(1) {
                    let port: String = rest.chars().take_while(char::is_ascii_digit).collect();
                    let _ = tx.send(port.parse::<u16>().ok());
                }
            }
        });
        let mut process = Process {
            child,
            port: 0,
            database_url: database_url.to_string(),
        };
        for _ in 0..1200 {
            if let Ok(port) = rx.try_recv() {
                process.port = port.expect("a port in the start-up line");
                break;
            }
            if let Ok(Some(status)) = process.child.try_wait() {
                panic!("motcua serve exited: {status}");
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert!(process.port != 0, "motcua serve did not start");
        let probe = client();
        for _ in 0..200 {
            if let Ok(r) = probe
                .get(format!("http://127.0.0.1:{}/healthz", process.port))
                .send()
                .await
            {
                if r.status().is_success() {
                    return process;
                }
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        process.kill();
        panic!("motcua serve did not answer on port {}", process.port);
    }

    /// A browser or API client on this process.
    pub fn app(&self) -> TestApp {
        TestApp {
            address: format!("http://127.0.0.1:{}", self.port),
            client: client(),
            database_url: self.database_url.clone(),
            generated_admin_password: None,
        }
    }

    /// SIGKILL: no shutdown and no flush, as when the process is killed or
    /// crashes (the operating system keeps what was written).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
    }
}
