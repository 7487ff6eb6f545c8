//! Processing through the API: every action of the transition table, the
//! refused transitions and roles, the clock, and two people acting at once.

use serde_json::{json, Value};

use crate::dossiers_api::{post_dossier, token_of, valid_body};
use crate::helpers::TestApp;
use crate::on_both_backends;

on_both_backends!(
    a_dossier_goes_through_every_processing_action,
    refusals_withdrawals_and_second_supplements,
    two_people_acting_at_once_never_overwrite_each_other,
    an_apology_date_survives_a_later_supplement,
);

const PASSWORD: &str = "xu-ly-ho-so-2026";

pub struct Team {
    pub reception: String,
    pub officer: String,
    pub other_officer: String,
    pub leader: String,
    pub supervisor: String,
    pub admin: String,
}

pub async fn team(app: &TestApp) -> Team {
    app.login_admin().await;
    for (u, r) in [
        ("tiepnhan", "reception"),
        ("chuyenvien", "officer"),
        ("chuyenvien2", "officer"),
        ("lanhdao", "leader"),
        ("giamsat", "supervisor"),
    ] {
        app.create_user(u, r, PASSWORD).await;
    }
    Team {
        reception: token_of(app, "tiepnhan", PASSWORD).await,
        officer: token_of(app, "chuyenvien", PASSWORD).await,
        other_officer: token_of(app, "chuyenvien2", PASSWORD).await,
        leader: token_of(app, "lanhdao", PASSWORD).await,
        supervisor: token_of(app, "giamsat", PASSWORD).await,
        admin: token_of(app, "admin", crate::helpers::ADMIN_PASSWORD).await,
    }
}

pub async fn new_dossier(app: &TestApp, t: &Team, body: Value) -> Value {
    let r = post_dossier(app, &t.reception, &body, None).await;
    let status = r.status().as_u16();
    let d: Value = r.json().await.expect("json");
    assert_eq!(status, 201, "{d}");
    d
}

pub async fn dossier(app: &TestApp, token: &str, code: &str) -> Value {
    app.client
        .get(app.url(&format!("/api/v1/dossiers/{code}")))
        .bearer_auth(token)
        .send()
        .await
        .expect("GET")
        .json()
        .await
        .expect("json")
}

/// Takes an action with the dossier's current version (unless `body` has one).
pub async fn act(app: &TestApp, token: &str, code: &str, mut body: Value) -> (u16, Value) {
    if body.get("version").is_none() {
        let current = dossier(app, token, code).await;
        body["version"] = current["version"].clone();
    }
    let r = app
        .client
        .post(app.url(&format!("/api/v1/dossiers/{code}/actions")))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("POST action");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn code_of(d: &Value) -> String {
    d["code"].as_str().expect("code").to_string()
}

async fn a_dossier_goes_through_every_processing_action(app: TestApp) {
    let t = team(&app).await;
    let d = new_dossier(&app, &t, valid_body()).await;
    let code = code_of(&d);
    let first_due = d["due_date"].clone();

    // Who may not: supervisors, administrators, counter staff assigning.
    for token in [&t.supervisor, &t.admin, &t.reception, &t.officer] {
        let (status, e) = act(
            &app,
            token,
            &code,
            json!({"action": "assign", "officer": "chuyenvien"}),
        )
        .await;
        assert_eq!(status, 403, "{e}");
        assert_eq!(e["error"], "forbidden");
    }
    let (status, e) = act(
        &app,
        &t.leader,
        &code,
        json!({"action": "assign", "officer": "giamsat"}),
    )
    .await;
    assert_eq!(status, 422);
    assert!(e["fields"]["officer"].is_string());
    let (status, e) = act(&app, &t.leader, &code, json!({"action": "fly"})).await;
    assert_eq!(status, 422, "{e}");

    let (status, d) = act(
        &app,
        &t.leader,
        &code,
        json!({"action": "assign", "officer": "chuyenvien"}),
    )
    .await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(d["status"], "in_progress");
    assert_eq!(d["assignee"], "chuyenvien");
    // Reassignment, then back.
    let (status, d) = act(
        &app,
        &t.leader,
        &code,
        json!({"action": "assign", "officer": "chuyenvien2", "note": "Chia lại việc"}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(d["assignee"], "chuyenvien2");
    let (status, _) = act(
        &app,
        &t.leader,
        &code,
        json!({"action": "assign", "officer": "chuyenvien"}),
    )
    .await;
    assert_eq!(status, 200);

    // Only the assigned officer (or a leader) asks for a supplement.
    let body = json!({"action": "request_supplement", "missing": [{"name": "Bản án có chứng thực", "form": "certified_copy"}], "note": "Bản sao chưa chứng thực"});
    let (status, _) = act(&app, &t.other_officer, &code, body.clone()).await;
    assert_eq!(status, 403);
    let (status, e) = act(
        &app,
        &t.officer,
        &code,
        json!({"action": "request_supplement", "missing": []}),
    )
    .await;
    assert_eq!(status, 422);
    assert!(e["fields"]["missing"].is_string());
    let (status, d) = act(&app, &t.officer, &code, body).await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(d["status"], "awaiting_supplement");
    assert_eq!(d["due_date"], Value::Null, "the clock stops");
    assert_eq!(d["supplement_requests"], 1);
    assert_eq!(d["late_supplement_request"], false);
    // Nothing to submit while waiting.
    let (status, e) = act(&app, &t.officer, &code, json!({"action": "submit_for_approval", "result": {"number": "1/QĐ", "date": "2026-01-01", "signer": "X"}})).await;
    assert_eq!(status, 409, "{e}");
    assert_eq!(e["error"], "conflict");
    assert_eq!(e["dossier"]["status"], "awaiting_supplement");

    // The complete supplement restarts the legal time from zero.
    let (status, d) = act(
        &app,
        &t.reception,
        &code,
        json!({"action": "receive_supplement"}),
    )
    .await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(d["status"], "in_progress");
    let due = d["due_date"].as_str().expect("due again").to_string();
    assert!(due.as_str() >= first_due.as_str().expect("first due"));
    assert_eq!(d["original_due_date"], d["due_date"]);

    // The apology moves the date once, to a later working day.
    let (_, later) = app
        .client
        .get(app.url(&format!(
            "/api/v1/calendar/due-date?received_at={due}T08:00:00&working_days=5"
        )))
        .send()
        .await
        .expect("GET")
        .json::<Value>()
        .await
        .map(|v| (0, v))
        .expect("json");
    let new_due = later["due_date"].as_str().expect("date").to_string();
    let (status, e) = act(
        &app,
        &t.leader,
        &code,
        json!({"action": "extend", "new_due_date": due, "reason": "Chờ xác minh"}),
    )
    .await;
    assert_eq!(status, 422, "not later: {e}");
    let (status, d) = act(&app, &t.leader, &code, json!({"action": "extend", "new_due_date": new_due, "reason": "Cần xác minh tài sản tại địa phương"})).await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(d["due_date"], new_due.as_str());
    assert_eq!(d["original_due_date"], due.as_str());
    assert_eq!(d["extended"], true);
    assert_eq!(d["status"], "in_progress");
    let (status, e) = act(
        &app,
        &t.leader,
        &code,
        json!({"action": "extend", "new_due_date": new_due, "reason": "Lần nữa"}),
    )
    .await;
    assert_eq!(status, 409, "once only: {e}");
    assert!(e["message"].as_str().expect("msg").contains("một lần"));

    // The result, sent back, submitted again, approved.
    let (status, e) = act(
        &app,
        &t.officer,
        &code,
        json!({"action": "submit_for_approval", "result": {"number": "", "date": "2099-01-01"}}),
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        e["fields"]["result.number"].is_string()
            && e["fields"]["result.date"].is_string()
            && e["fields"]["result.signer"].is_string()
    );
    let result = json!({"action": "submit_for_approval", "result": {"number": "125/QĐ-THADS", "date": "2026-11-20", "signer": "Lê Văn Hùng", "summary": "Quyết định thi hành án theo yêu cầu"}});
    let (status, d) = act(&app, &t.officer, &code, result.clone()).await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(d["status"], "awaiting_approval");
    assert_eq!(d["result"]["number"], "125/QĐ-THADS");
    let (status, _) = act(&app, &t.officer, &code, json!({"action": "approve"})).await;
    assert_eq!(status, 403, "officers do not approve");
    let (status, e) = act(&app, &t.leader, &code, json!({"action": "send_back"})).await;
    assert_eq!(status, 422, "a note is needed: {e}");
    let (status, d) = act(
        &app,
        &t.leader,
        &code,
        json!({"action": "send_back", "note": "Ghi rõ số tiền phải thi hành"}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(d["status"], "in_progress");
    let (status, _) = act(&app, &t.officer, &code, result).await;
    assert_eq!(status, 200);
    let (status, d) = act(&app, &t.leader, &code, json!({"action": "approve"})).await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(d["status"], "result_ready");
    assert_eq!(d["outcome"], "granted");
    assert!(d["decided_at"].as_str().is_some());
    assert_eq!(
        d["timeliness"], "late",
        "an extended dossier counts as late"
    );
    assert_eq!(d["overdue"], false);
    // Decided: no more processing.
    for action in [
        "approve",
        "send_back",
        "request_supplement",
        "extend",
        "withdraw",
    ] {
        let token = if action == "withdraw" {
            &t.reception
        } else {
            &t.leader
        };
        let (status, _) = act(&app, token, &code, json!({"action": action, "note": "x", "reason": "x", "new_due_date": "2030-01-02", "missing": [{"name": "x", "form": "copy"}]})).await;
        assert_eq!(status, 409, "{action} after the decision");
    }

    let actions: Vec<&str> = d["history"]
        .as_array()
        .expect("history")
        .iter()
        .map(|h| h["action"].as_str().expect("action"))
        .collect();
    assert_eq!(
        actions,
        vec![
            "receive",
            "assign",
            "assign",
            "assign",
            "request_supplement",
            "receive_supplement",
            "extend",
            "submit_for_approval",
            "send_back",
            "submit_for_approval",
            "approve"
        ]
    );
    let history = d["history"].as_array().expect("history");
    assert_eq!(history[1]["by"], "lanhdao");
    assert_eq!(history[1]["from"], "received");
    assert_eq!(history[1]["to"], "in_progress");
    assert!(history[8]["note"]
        .as_str()
        .expect("note")
        .contains("Ghi rõ số tiền"));
    assert_eq!(history[10]["from"], "awaiting_approval");
    assert_eq!(history[10]["to"], "result_ready");

    // A stale version is refused with the fresh state.
    let (status, e) = act(
        &app,
        &t.reception,
        &code,
        json!({"action": "ship_by_post", "tracking_number": "EB123", "version": 1}),
    )
    .await;
    assert_eq!(status, 409);
    assert!(e["message"]
        .as_str()
        .expect("message")
        .contains("vừa được người khác cập nhật"));
    assert_eq!(e["dossier"]["version"], d["version"]);
}

async fn refusals_withdrawals_and_second_supplements(app: TestApp) {
    let t = team(&app).await;
    // Refused by a leader straight from reception: the refusal is the result.
    let a = code_of(&new_dossier(&app, &t, valid_body()).await);
    let (status, e) = act(&app, &t.leader, &a, json!({"action": "refuse"})).await;
    assert_eq!(status, 422);
    assert!(e["fields"]["reason"].is_string());
    let (status, d) = act(
        &app,
        &t.leader,
        &a,
        json!({"action": "refuse", "reason": "Bản án chưa có hiệu lực pháp luật"}),
    )
    .await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(d["status"], "result_ready");
    assert_eq!(d["outcome"], "refused");
    assert_eq!(d["closing_reason"], "Bản án chưa có hiệu lực pháp luật");
    assert_eq!(d["timeliness"], "early");

    // Withdrawn by the citizen at the counter: nothing more happens to it.
    let b = code_of(&new_dossier(&app, &t, valid_body()).await);
    let (status, _) = act(
        &app,
        &t.leader,
        &b,
        json!({"action": "withdraw", "reason": "x"}),
    )
    .await;
    assert_eq!(status, 403, "the counter records a withdrawal");
    let (status, d) = act(
        &app,
        &t.reception,
        &b,
        json!({"action": "withdraw", "reason": "Các bên đã tự thỏa thuận"}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(d["status"], "withdrawn");
    assert_eq!(d["status_label"], "Công dân rút hồ sơ");
    let (status, _) = act(
        &app,
        &t.leader,
        &b,
        json!({"action": "assign", "officer": "chuyenvien"}),
    )
    .await;
    assert_eq!(status, 409);

    // A supplement asked late (received 10 days ago), then a second request: late.
    let mut old = valid_body();
    let ten_days_ago = (chrono::Utc::now() - chrono::Duration::days(14))
        .with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).expect("offset"))
        .date_naive();
    old["received_at"] = json!(format!(
        "{}T09:00:00+07:00",
        ten_days_ago.format("%Y-%m-%d")
    ));
    let c = code_of(&new_dossier(&app, &t, old).await);
    act(
        &app,
        &t.leader,
        &c,
        json!({"action": "assign", "officer": "chuyenvien"}),
    )
    .await;
    let missing = json!([{"name": "Giấy ủy quyền", "form": "original"}]);
    let (status, d) = act(
        &app,
        &t.officer,
        &c,
        json!({"action": "request_supplement", "missing": missing}),
    )
    .await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(d["late_supplement_request"], true);
    act(
        &app,
        &t.officer,
        &c,
        json!({"action": "receive_supplement"}),
    )
    .await;
    let (status, d) = act(
        &app,
        &t.leader,
        &c,
        json!({"action": "request_supplement", "missing": missing}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(d["supplement_requests"], 2);
    let (status, _) = act(
        &app,
        &t.officer,
        &c,
        json!({"action": "receive_supplement"}),
    )
    .await;
    assert_eq!(status, 200);
    act(&app, &t.officer, &c, json!({"action": "submit_for_approval", "result": {"number": "9/QĐ", "date": "2026-11-01", "signer": "Lê Văn Hùng"}})).await;
    let (status, d) = act(&app, &t.leader, &c, json!({"action": "approve"})).await;
    assert_eq!(status, 200);
    assert_eq!(
        d["timeliness"], "late",
        "a second supplement request makes it late"
    );
}

async fn two_people_acting_at_once_never_overwrite_each_other(app: TestApp) {
    let t = team(&app).await;
    for round in 0..4 {
        let code = code_of(&new_dossier(&app, &t, valid_body()).await);
        if round == 3 {
            act(
                &app,
                &t.leader,
                &code,
                json!({"action": "assign", "officer": "chuyenvien"}),
            )
            .await;
        }
        let version = dossier(&app, &t.leader, &code).await["version"].clone();
        // Two clicks at the same moment on the same version.
        let missing = json!([{"name": "Giấy ủy quyền", "form": "original"}]);
        let requests = if round == 3 {
            // Both would write a supplement request row: the loser gets 409, not 500.
            [
                (
                    t.officer.clone(),
                    json!({"action": "request_supplement", "missing": missing, "version": version}),
                ),
                (
                    t.leader.clone(),
                    json!({"action": "request_supplement", "missing": missing, "version": version}),
                ),
            ]
        } else {
            [
                (
                    t.leader.clone(),
                    json!({"action": "assign", "officer": "chuyenvien", "version": version}),
                ),
                (
                    t.leader.clone(),
                    json!({"action": "refuse", "reason": "Không thuộc thẩm quyền", "version": version}),
                ),
            ]
        };
        let mut tasks = Vec::new();
        for (token, body) in requests {
            let client = app.client.clone();
            let url = app.url(&format!("/api/v1/dossiers/{code}/actions"));
            tasks.push(tokio::spawn(async move {
                let r = client
                    .post(url)
                    .bearer_auth(token)
                    .json(&body)
                    .send()
                    .await
                    .expect("POST");
                r.status().as_u16()
            }));
        }
        let mut statuses = Vec::new();
        for task in tasks {
            statuses.push(task.await.expect("task"));
        }
        statuses.sort();
        assert_eq!(statuses, vec![200, 409], "round {round}");
        let d = dossier(&app, &t.leader, &code).await;
        let before = if round == 3 { 2 } else { 1 };
        assert_eq!(
            d["history"].as_array().expect("history").len(),
            before + 1,
            "one action recorded"
        );
        assert_eq!(d["version"].as_i64(), version.as_i64().map(|v| v + 1));
    }
}

async fn an_apology_date_survives_a_later_supplement(app: TestApp) {
    let t = team(&app).await;
    let d = new_dossier(&app, &t, valid_body()).await;
    let code = code_of(&d);
    let due = d["due_date"].as_str().expect("due").to_string();
    act(
        &app,
        &t.leader,
        &code,
        json!({"action": "assign", "officer": "chuyenvien"}),
    )
    .await;
    // An apology moves the date 20 working days later.
    let later: Value = app
        .client
        .get(app.url(&format!(
            "/api/v1/calendar/due-date?received_at={due}T08:00:00&working_days=20"
        )))
        .send()
        .await
        .expect("GET")
        .json()
        .await
        .expect("json");
    let promised = later["due_date"].as_str().expect("date").to_string();
    let (status, e) = act(
        &app,
        &t.leader,
        &code,
        json!({"action": "extend", "new_due_date": promised, "reason": "Chờ xác minh"}),
    )
    .await;
    assert_eq!(status, 200, "{e}");
    // Then a supplement; when it arrives the restarted clock ends earlier
    // than the promised date, which stands.
    let missing = json!([{"name": "Giấy ủy quyền", "form": "original"}]);
    let (status, _) = act(
        &app,
        &t.officer,
        &code,
        json!({"action": "request_supplement", "missing": missing}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, e) = act(
        &app,
        &t.leader,
        &code,
        json!({"action": "extend", "new_due_date": promised, "reason": "Lần nữa"}),
    )
    .await;
    assert_eq!(status, 409, "no date while waiting: {e}");
    let (status, d) = act(
        &app,
        &t.reception,
        &code,
        json!({"action": "receive_supplement"}),
    )
    .await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(
        d["due_date"],
        promised.as_str(),
        "the apology's date stands"
    );
    assert_eq!(
        d["original_due_date"],
        due.as_str(),
        "the original date is kept"
    );
    assert_eq!(d["extended"], true);
}

/// Assigns `code` to "chuyenvien", who asks for a supplement (one certified
/// copy of the judgment).
pub async fn ask_for_supplement(app: &TestApp, t: &Team, code: &str) {
    let (s, r) = act(
        app,
        &t.leader,
        code,
        json!({"action": "assign", "officer": "chuyenvien"}),
    )
    .await;
    assert_eq!(s, 200, "{r}");
    let (s, r) = act(
        app,
        &t.officer,
        code,
        json!({"action": "request_supplement", "missing": [{"name": "Bản án có chứng thực", "form": "certified_copy"}], "note": "Bản sao chưa chứng thực"}),
    )
    .await;
    assert_eq!(s, 200, "{r}");
}

/// The leader apologises for `code` with a date five working days after its
/// due date; returns the old and the new date (YYYY-MM-DD).
pub async fn apologise(app: &TestApp, t: &Team, code: &str) -> (String, String) {
    let due = dossier(app, &t.leader, code).await["due_date"]
        .as_str()
        .expect("due date")
        .to_string();
    let later: Value = app
        .client
        .get(app.url(&format!(
            "/api/v1/calendar/due-date?received_at={due}T08:00:00&working_days=5"
        )))
        .send()
        .await
        .expect("GET due-date")
        .json()
        .await
        .expect("json");
    let new_due = later["due_date"].as_str().expect("date").to_string();
    let (s, r) = act(
        app,
        &t.leader,
        code,
        json!({"action": "extend", "new_due_date": new_due, "reason": "Cần xác minh tài sản tại địa phương"}),
    )
    .await;
    assert_eq!(s, 200, "{r}");
    (due, new_due)
}
