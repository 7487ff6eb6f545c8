//! A province on several servers: two `motcua serve` processes on one
//! PostgreSQL behind Debian's nginx (round robin), serving the same users.
//! Sessions and CSRF cross instances, rate limits and login throttling are
//! counted once, dossier codes are gapless, and each notification is sent
//! exactly once although both instances run the outbox sender.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::citizens::{header, lookup_api, smtp_server, wait_for, Mailbox};
use crate::dossiers_api::valid_body;
use crate::helpers::{client, count_sql, free_port, fresh_database, Backend, Process, TestApp};
use crate::processing::{new_dossier, team};

const NGINX: &str = "/usr/sbin/nginx";

/// nginx in the foreground with its own prefix, in front of `upstreams`.
struct Nginx {
    child: Child,
    port: u16,
    dir: PathBuf,
}

fn nginx_conf(dir: &Path, port: u16, upstreams: &[u16]) -> String {
    let d = dir.display();
    let servers: String = upstreams
        .iter()
        .map(|p| format!("    server 127.0.0.1:{p};\n"))
        .collect();
    // As root the workers would switch to `nobody`, who cannot write here.
    let user = if unsafe { libc::geteuid() } == 0 {
        "user root;"
    } else {
        ""
    };
    format!(
        r#"{user}
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {d}/body;
  proxy_temp_path {d}/proxy;
  fastcgi_temp_path {d}/fastcgi;
  uwsgi_temp_path {d}/uwsgi;
  scgi_temp_path {d}/scgi;
  client_max_body_size 60m;
  upstream motcua {{
{servers}    keepalive 16;
  }}
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://motcua;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      add_header X-Upstream $upstream_addr always;
    }}
  }}
}}
"#
    )
}

impl Nginx {
    async fn start(upstreams: &[u16]) -> Nginx {
        assert!(
            Path::new(NGINX).exists(),
            "nginx is needed (apt-get install nginx; .ci/run installs it)"
        );
        let dir = std::env::temp_dir().join(format!("motcua-nginx-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("dir");
        let port = free_port();
        let conf = dir.join("nginx.conf");
        std::fs::write(&conf, nginx_conf(&dir, port, upstreams)).expect("write conf");
        let child = Command::new(NGINX)
            .arg("-p")
            .arg(&dir)
            .arg("-c")
            .arg(&conf)
            .args(["-g", "daemon off;"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start nginx");
        let mut nginx = Nginx { child, port, dir };
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return nginx;
            }
            if let Ok(Some(status)) = nginx.child.try_wait() {
                let log = std::fs::read_to_string(nginx.dir.join("error.log")).unwrap_or_default();
                panic!("nginx exited: {status}: {log}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("nginx does not listen on {port}");
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Which upstream answered (the header nginx adds).
fn upstream(r: &reqwest::Response) -> String {
    r.headers()
        .get("x-upstream")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_behind_nginx_serve_the_same_users() {
    let Some(url) = fresh_database(Backend::Postgres) else {
        return;
    };
    let mailbox = Mailbox::default();
    let smtp = format!("smtp://127.0.0.1:{}", smtp_server(mailbox.clone()));
    let env = [
        ("MOTCUA_TRUST_PROXY", "true"),
        ("MOTCUA_OUTBOX_WORKER", "true"),
        ("MOTCUA_OUTBOX_POLL_MS", "50"),
        ("MOTCUA_SMTP_URL", smtp.as_str()),
    ];
    // Both start at once: migrations and the seed run once, under a lock.
    let (a, b) = tokio::join!(Process::serve(&url, &env), Process::serve(&url, &env));
    let nginx = Nginx::start(&[a.port, b.port]).await;
    let app = TestApp {
        address: format!("http://127.0.0.1:{}", nginx.port),
        client: client(),
        database_url: url.clone(),
        generated_admin_password: None,
    };

    // Sessions and CSRF: the admin logs in on one instance and creates users
    // with forms whose token came from the other (`team` does it all).
    let t = team(&app).await;
    let mut served = BTreeMap::<String, usize>::new();
    for _ in 0..10 {
        let r = app.get("/admin/users").await;
        assert_eq!(
            r.status().as_u16(),
            200,
            "the session holds on every instance"
        );
        *served.entry(upstream(&r)).or_default() += 1;
    }
    assert_eq!(
        served.keys().cloned().collect::<BTreeSet<_>>(),
        [a.port, b.port]
            .iter()
            .map(|p| format!("127.0.0.1:{p}"))
            .collect::<BTreeSet<_>>(),
        "nginx spreads the pages over both instances: {served:?}"
    );
    let mut form_instances = BTreeSet::new();
    for i in 0..4 {
        let page = app.get("/admin/users/new").await;
        let from = upstream(&page);
        let token = crate::helpers::csrf_of(&page.text().await.expect("page"));
        let r = app
            .client
            .post(app.url("/admin/users"))
            .form(&[
                ("csrf_token", token.as_str()),
                ("username", &format!("canbo{i}")),
                ("full_name", "Trần Thị Mười"),
                ("role", "officer"),
                ("office", motcua::services::seed::DEFAULT_OFFICE_CODE),
                ("password", "mat-khau-canbo-2026"),
            ])
            .send()
            .await
            .expect("POST");
        assert_eq!(r.status().as_u16(), 303, "a form posted to either instance");
        form_instances.insert((from, upstream(&r)));
    }
    assert!(
        form_instances.iter().any(|(from, to)| from != to),
        "a CSRF token from one instance was accepted by the other: {form_instances:?}"
    );

    // Receptions through both instances at once: codes gapless and unique.
    let mut tasks = Vec::new();
    for _ in 0..40 {
        let (client, url, token) = (
            app.client.clone(),
            app.url("/api/v1/dossiers"),
            t.reception.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let r = client
                .post(url)
                .bearer_auth(token)
                .json(&valid_body())
                .send()
                .await
                .expect("POST");
            assert_eq!(r.status().as_u16(), 201);
            let body: Value = r.json().await.expect("json");
            body["code"].as_str().expect("code").to_string()
        }));
    }
    let mut numbers = BTreeSet::new();
    for task in tasks {
        let code = task.await.expect("task");
        numbers.insert(code.rsplit('-').next().unwrap().parse::<usize>().unwrap());
    }
    assert_eq!(numbers, (1..=40).collect::<BTreeSet<_>>(), "gapless codes");

    // Each email goes out exactly once, although both instances send.
    let emails = count_sql(
        &url,
        "SELECT COUNT(*) AS n FROM outbox WHERE channel = 'email'",
    );
    assert!(emails >= 40, "{emails} emails queued");
    wait_for("every email", 60, || {
        mailbox.accepted().len() >= emails as usize
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let accepted = mailbox.accepted();
    let ids: BTreeSet<String> = accepted
        .iter()
        .map(|(_, raw)| header(raw, "Message-ID").expect("id").to_string())
        .collect();
    assert_eq!(accepted.len(), emails as usize, "no email sent twice");
    assert_eq!(ids.len(), accepted.len(), "distinct messages");
    assert_eq!(
        count_sql(
            &url,
            "SELECT COUNT(*) AS n FROM outbox WHERE channel = 'email' AND status <> 'sent'"
        ),
        0
    );

    // The lookup limit is one count for the office, not one per instance.
    let d = new_dossier(&app, &t, valid_body()).await;
    let code = d["code"].as_str().unwrap().to_string();
    let citizen = app.other_browser();
    for i in 0..motcua::domain::citizen::LOOKUPS_PER_MINUTE {
        let (status, e) = lookup_api(&citizen, &code, "5678").await;
        assert_eq!(status, 200, "lookup {i}: {e}");
    }
    let (status, _) = lookup_api(&citizen, &code, "5678").await;
    assert_eq!(status, 429, "the limit counts lookups on both instances");

    // Login throttling too: five wrong passwords spread over both instances.
    let browser = app.other_browser();
    for _ in 0..5 {
        assert_eq!(
            browser
                .login("giamsat", "sai-mat-khau")
                .await
                .status()
                .as_u16(),
            401
        );
    }
    let r = browser.login("giamsat", "xu-ly-ho-so-2026").await;
    assert_eq!(r.status().as_u16(), 429, "the wait holds on every instance");
    drop(nginx);
    drop((a, b));
}
