//! The access matrix: walks the route table the router is built from
//! (`motcua::web::routes::TABLE`) as an anonymous visitor and as each role,
//! through the session on pages and a bearer token on the API, and checks
//! that exactly the declared callers get past the access check. Also: 405
//! with `Allow` for a method a path does not take, and a page refusing an API
//! token (and the API a session cookie).

use motcua::domain::Role;
use motcua::web::routes::{Access, TABLE};
use reqwest::Method;

use crate::helpers::TestApp;
use crate::on_both_backends;
use crate::processing::team;

on_both_backends!(exactly_the_declared_callers_pass_each_route);

/// A caller: anonymous or a role, with a browser session (and its CSRF token)
/// and an API token.
struct Caller {
    role: Option<Role>,
    browser: TestApp,
    csrf: String,
    token: Option<String>,
}

async fn caller(app: &TestApp, role: Option<Role>, login: Option<(&str, &str)>) -> Caller {
    let browser = app.other_browser();
    let mut token = None;
    if let Some((username, password)) = login {
        assert_eq!(
            browser.login(username, password).await.status().as_u16(),
            303
        );
        token = Some(crate::dossiers_api::token_of(app, username, password).await);
    }
    let csrf = browser
        .csrf(if role.is_some() {
            "/account/password"
        } else {
            "/login"
        })
        .await;
    Caller {
        role,
        browser,
        csrf,
        token,
    }
}

/// A concrete address for a table path: each parameter gets a value that
/// names nothing stored, so an admitted call ends in the handler's own 404
/// or validation answer, never in a change.
fn concrete(path: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}').expect("closing brace") + open;
        let name = rest[open + 1..close].split(':').next().unwrap_or("");
        out.push_str(match name {
            "code" => "KHONG-CO-HS",
            "token" => "khongcotoken",
            "path" => "khong-co.css",
            _ => "987654",
        });
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

/// What one call answered: status and, for a redirect, where to.
async fn call(c: &Caller, method: &Method, path: &str) -> (u16, String) {
    let url = c.browser.url(&concrete(path));
    let api = path.starts_with("/api/");
    let mut req = c.browser.client.request(method.clone(), url);
    if api {
        // The API is called without the browser's cookie jar mattering:
        // only the token admits.
        if let Some(t) = &c.token {
            req = req.bearer_auth(t);
        }
        if method == Method::POST {
            req = req.json(&serde_json::json!({}));
        }
    } else if method == Method::POST {
        req = req.form(&[("csrf_token", c.csrf.as_str())]);
    }
    let r = req.send().await.expect("request");
    let location = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    (r.status().as_u16(), location)
}

fn refused(spec_path: &str, role: Option<Role>, (status, location): &(u16, String)) -> bool {
    if spec_path.starts_with("/api/") {
        return matches!(status, 401 | 403);
    }
    match role {
        // The access check's own redirect names the page to come back to.
        None => *status == 303 && location.starts_with("/login?next="),
        Some(_) => *status == 403,
    }
}

async fn exactly_the_declared_callers_pass_each_route(app: TestApp) {
    let pw = "xu-ly-ho-so-2026";
    team(&app).await;
    let mut callers = vec![caller(&app, None, None).await];
    for (role, user, password) in [
        (Role::Admin, "admin", crate::helpers::ADMIN_PASSWORD),
        (Role::Reception, "tiepnhan", pw),
        (Role::Officer, "chuyenvien", pw),
        (Role::Leader, "lanhdao", pw),
        (Role::Supervisor, "giamsat", pw),
    ] {
        callers.push(caller(&app, Some(role), Some((user, password))).await);
    }

    // Signing out last, so the other rows see a live session.
    let mut rows: Vec<_> = TABLE.iter().collect();
    rows.sort_by_key(|s| s.path == "/logout");
    let mut wrong = Vec::new();
    let mut checked = 0;
    for spec in &rows {
        for c in &callers {
            let method = Method::from_bytes(spec.method.as_str().as_bytes()).expect("method");
            let answer = call(c, &method, spec.path).await;
            let expected = match spec.access {
                // No session or API role opens /metrics; without a configured
                // token it does not exist.
                Access::MetricsToken => {
                    if answer.0 != 404 {
                        wrong.push(format!(
                            "{} {} as {:?}: {:?}",
                            spec.method, spec.path, c.role, answer
                        ));
                    }
                    continue;
                }
                access => access.admits(c.role),
            };
            checked += 1;
            if refused(spec.path, c.role, &answer) == expected {
                wrong.push(format!(
                    "{} {} as {:?}: declared {}, answered {:?}",
                    spec.method,
                    spec.path,
                    c.role,
                    if expected { "allowed" } else { "refused" },
                    answer
                ));
            }
            if answer.0 >= 500 {
                wrong.push(format!(
                    "{} {} as {:?}: {:?}",
                    spec.method, spec.path, c.role, answer
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {checked} calls differ from the table:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    assert!(checked > 600, "the walk covered the table: {checked}");

    // A method a path does not take: 405, naming the ones it does.
    let anonymous = &callers[0];
    let mut paths: Vec<&str> = TABLE.iter().map(|s| s.path).collect();
    paths.sort();
    paths.dedup();
    for path in paths {
        let (status, _) = call(anonymous, &Method::DELETE, path).await;
        assert_eq!(status, 405, "DELETE {path}");
    }
    let r = app
        .client
        .put(app.url("/api/v1/dossiers"))
        .send()
        .await
        .expect("PUT");
    assert_eq!(r.status().as_u16(), 405);
    let allow = r
        .headers()
        .get("allow")
        .expect("Allow")
        .to_str()
        .unwrap()
        .to_string();
    assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");
    let body: serde_json::Value = r.json().await.expect("json");
    assert_eq!(body["error"], "method_not_allowed", "{body}");

    // A page does not take an API token, and the API no session cookie.
    let reception = &callers[2];
    let r = app
        .other_browser()
        .client
        .get(app.url("/tiep-nhan"))
        .bearer_auth(reception.token.as_deref().unwrap())
        .send()
        .await
        .expect("GET");
    assert_eq!(r.status().as_u16(), 303, "a page wants the session");
    let r = reception
        .browser
        .client
        .get(reception.browser.url("/api/v1/dossiers"))
        .send()
        .await
        .expect("GET");
    assert_eq!(r.status().as_u16(), 401, "the API wants a token");
}
