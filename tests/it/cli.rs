//! The command line: `migrate`, `office add`, `user add`, with Vietnamese errors.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::helpers::{fresh_database, start, test_config, Backend};

fn motcua(database_url: &str, args: &[&str], stdin: &str) -> (bool, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("MOTCUA_ADMIN_PASSWORD", crate::helpers::ADMIN_PASSWORD)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run motcua");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    let out = child.wait_with_output().expect("wait");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

async fn cli_creates_offices_and_users(backend: Backend) {
    let Some(url) = fresh_database(backend) else {
        return;
    };
    let (ok, out, err) = motcua(&url, &["migrate"], "");
    assert!(ok, "{err}");
    assert!(out.contains("Đã cập nhật cơ sở dữ liệu."));

    let (ok, out, err) = motcua(
        &url,
        &[
            "office",
            "add",
            "000.00.12.H34",
            "Chi cục THADS khu vực 1",
            "--parent",
            "000.00.00.H00",
        ],
        "",
    );
    assert!(ok, "{err}");
    assert!(out.contains("Đã thêm đơn vị Chi cục THADS khu vực 1"));

    let (ok, _, err) = motcua(&url, &["office", "add", "000.00.12.H34", "Trùng"], "");
    assert!(!ok);
    assert!(err.contains("Mã đơn vị 000.00.12.H34 đã có."), "{err}");

    let (ok, out, err) = motcua(
        &url,
        &[
            "user",
            "add",
            "tiepnhan9",
            "--role",
            "reception",
            "--office",
            "000.00.12.H34",
            "--full-name",
            "Phạm Thị Tiếp",
        ],
        "mat-khau-cli-2026\n",
    );
    assert!(ok, "{err}");
    assert!(out.contains("Đã thêm người dùng tiepnhan9"));

    let (ok, _, err) = motcua(
        &url,
        &[
            "user",
            "add",
            "x9",
            "--role",
            "vua",
            "--office",
            "KHONG.CO",
            "--full-name",
            "",
        ],
        "ngan\n",
    );
    assert!(!ok);
    assert!(err.contains("Vai trò") || err.contains("vai trò"), "{err}");
    assert!(
        err.contains("Tên đăng nhập dài từ 3 đến 50 ký tự."),
        "{err}"
    );

    // The user made on the command line logs in on the pages.
    let app = start(test_config(&url));
    assert_eq!(
        app.login("tiepnhan9", "mat-khau-cli-2026")
            .await
            .status()
            .as_u16(),
        303
    );
    let (_, home) = app.get_text("/").await;
    assert!(home.contains("Chi cục THADS khu vực 1"));
}

#[tokio::test]
async fn cli_sqlite() {
    cli_creates_offices_and_users(Backend::Sqlite).await;
}

#[tokio::test]
async fn cli_postgres() {
    cli_creates_offices_and_users(Backend::Postgres).await;
}

async fn demo_fills_a_fresh_database(backend: Backend) {
    let Some(url) = fresh_database(backend) else {
        return;
    };
    let child = Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args(["demo", "--dossiers", "60", "--days", "45"])
        .env("DATABASE_URL", &url)
        .env("MOTCUA_ADMIN_PASSWORD", crate::helpers::ADMIN_PASSWORD)
        .env("MOTCUA_DEMO_PASSWORD", "mau-demo-2026")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run motcua demo");
    let out = child.wait_with_output().expect("wait");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("Đã tạo dữ liệu mẫu"), "{stdout}");
    for user in [
        "tiepnhan",
        "chuyenvien",
        "lanhdao",
        "giamsat",
        "tiepnhan.kv1",
    ] {
        assert!(stdout.contains(user), "{user} listed");
    }
    // A second run refuses: the database is no longer fresh.
    let (ok, _, err) = motcua(&url, &["demo"], "");
    assert!(!ok);
    assert!(err.contains("chỉ chạy trên cơ sở dữ liệu mới"), "{err}");

    // The demo users log in and see the dossiers of their offices.
    let app = start(test_config(&url));
    let r = app.api_token("giamsat", "mau-demo-2026").await;
    assert_eq!(r.status().as_u16(), 201);
    let token = r.json::<serde_json::Value>().await.expect("json")["token"]
        .as_str()
        .expect("token")
        .to_string();
    let all: serde_json::Value = app
        .client
        .get(app.url("/api/v1/dossiers?per_page=1"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("GET")
        .json()
        .await
        .expect("json");
    let total = all["total"].as_i64().expect("total");
    assert!((40..=60).contains(&total), "{total} dossiers");
    let branch: serde_json::Value = app
        .client
        .get(app.url("/api/v1/dossiers?per_page=1&office=000.00.12.H34"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("GET")
        .json()
        .await
        .expect("json");
    let in_branch = branch["total"].as_i64().expect("total");
    assert!(in_branch > 0 && in_branch < total, "{in_branch} of {total}");
    assert!(branch["items"][0]["code"]
        .as_str()
        .expect("code")
        .starts_with("000.00.12.H34-"));
    // Older dossiers went through processing and their results went back.
    let decided: serde_json::Value = app
        .client
        .get(app.url("/api/v1/dossiers?per_page=1&status=delivered"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("GET")
        .json()
        .await
        .expect("json");
    let decided = decided["total"].as_i64().expect("total");
    assert!(
        decided > 0 && decided < total,
        "{decided} decided of {total}"
    );
}

#[tokio::test]
async fn demo_sqlite() {
    demo_fills_a_fresh_database(Backend::Sqlite).await;
}

#[tokio::test]
async fn demo_postgres() {
    demo_fills_a_fresh_database(Backend::Postgres).await;
}
