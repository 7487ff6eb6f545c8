//! `motcua generate`: a province's worth of dossiers for load and report
//! tests. It first runs the demo's setup (offices, users of every role), adds
//! branch offices with their staff, then writes dossiers over the last years
//! in bulk, in every state, each with its history, due-date record and
//! documents, as the use cases would have left them.

use std::collections::HashMap;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime};
use diesel::RunQueryDsl;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::db::dossiers::{
    bulk_insert, bulk_insert_details, BulkDeadline, BulkDocument, BulkDossier, BulkEvent,
};
use crate::db::offices::Office;
use crate::db::procedures::{Procedure, ProcedureFull};
use crate::db::users::User;
use crate::db::{sequences, write_tx, DbConnection};
use crate::domain::calendar::Calendar;
use crate::domain::deadline::compute;
use crate::domain::dossier::decided_timeliness;
use crate::domain::procedure::fold;
use crate::domain::time::{local_to_utc, now_utc, to_local};
use crate::error::AppError;
use crate::services::administration::{self, NewUserInput};
use crate::services::demo::{self, address, citizen_id, person_name, phone, DemoOptions};
use crate::services::reception::deadline_columns;
use crate::services::Actor;

/// What to generate.
pub struct GenerateOptions {
    pub dossiers: u64,
    pub years: u32,
    /// Branch offices added to the demo's two.
    pub extra_offices: u32,
    pub seed: u64,
    pub demo: DemoOptions,
}

/// What was generated.
#[derive(Debug, Default)]
pub struct GenerateSummary {
    pub offices: usize,
    pub users: Vec<(String, &'static str)>,
    pub dossiers: u64,
    pub events: u64,
    pub open: u64,
}

/// The trigram indexes of the PostgreSQL migration (name, column).
const PG_SEARCH_INDEXES: [(&str, &str); 4] = [
    ("dossiers_code_trgm", "code"),
    ("dossiers_folded_trgm", "applicant_folded"),
    ("dossiers_id_number_trgm", "id_number"),
    ("dossiers_phone_trgm", "phone"),
];

/// Dossiers written per transaction.
const BATCH: usize = 5_000;

struct Team {
    office: Office,
    officers: Vec<i64>,
    clerk: i64,
    leader: i64,
}

/// Runs the demo setup, then writes `opts.dossiers` dossiers, calling
/// `progress` with the number written so far.
pub fn run(
    conn: &mut DbConnection,
    cal: &Calendar,
    opts: &GenerateOptions,
    progress: &mut dyn FnMut(u64),
) -> Result<GenerateSummary, AppError> {
    let base = demo::run(conn, cal, &opts.demo, &mut |_| {})?;
    let mut summary = GenerateSummary {
        offices: base.offices,
        users: base.users,
        ..GenerateSummary::default()
    };
    let now = now_utc();
    let system = Actor::system(conn, "generate")?;
    let root = Office::find_by_code(conn, crate::services::seed::DEFAULT_OFFICE_CODE)?
        .ok_or(AppError::NotFound)?;
    let hashed = crate::services::passwords::hash_new(opts.demo.hash_cost, &opts.demo.password)?;
    for i in 0..opts.extra_offices {
        let n = 3 + i;
        let code = format!("000.00.{:02}.H34", 11 + n);
        let name = format!("Phòng Thi hành án dân sự khu vực {n} - Khánh Hòa");
        administration::create_office(conn, &system, &code, &name, Some(&root.code), now)
            .map_err(|e| AppError::BadRequest(format!("{e:?}")))?;
        summary.offices += 1;
        for (prefix, role, full) in [
            ("tiepnhan", "reception", "Cán bộ tiếp nhận"),
            ("chuyenvien", "officer", "Chuyên viên"),
            ("chuyenvien2", "officer", "Chuyên viên thứ hai"),
            ("lanhdao", "leader", "Lãnh đạo"),
        ] {
            let username = format!("{prefix}.kv{n}");
            let input = NewUserInput {
                username: username.clone(),
                full_name: format!("{full} khu vực {n}"),
                role: role.into(),
                office_code: code.clone(),
                must_change_password: false,
            };
            administration::create_user(conn, &system, &input, hashed.clone(), now)
                .map_err(|e| AppError::BadRequest(format!("{e:?}")))?;
            summary.users.push((
                username,
                match role {
                    "reception" => "Cán bộ tiếp nhận và trả kết quả",
                    "officer" => "Chuyên viên xử lý",
                    _ => "Lãnh đạo",
                },
            ));
        }
    }
    let procedures: Vec<ProcedureFull> = Procedure::all_full(conn, true)?;
    if procedures.is_empty() {
        return Err(AppError::BadRequest("Danh mục thủ tục trống.".into()));
    }
    // Each office's staff (an office without its own officer borrows the root's).
    let offices = Office::all(conn)?;
    let mut teams = Vec::new();
    for office in offices {
        let ids = [office.id];
        let of = |conn: &mut DbConnection, role: &str| -> Result<Vec<i64>, AppError> {
            Ok(User::active_with_role_in(conn, role, &ids)?
                .into_iter()
                .map(|u| u.id)
                .collect())
        };
        let mut officers = of(conn, "officer")?;
        let clerks = of(conn, "reception")?;
        let mut leaders = of(conn, "leader")?;
        if clerks.is_empty() {
            continue;
        }
        // A branch without its own officers or leader works with the head office's.
        if officers.is_empty() || leaders.is_empty() {
            let head = [root.id];
            if officers.is_empty() {
                officers = User::active_with_role_in(conn, "officer", &head)?
                    .into_iter()
                    .map(|u| u.id)
                    .collect();
            }
            if leaders.is_empty() {
                leaders = User::active_with_role_in(conn, "leader", &head)?
                    .into_iter()
                    .map(|u| u.id)
                    .collect();
            }
            if officers.is_empty() || leaders.is_empty() {
                continue;
            }
        }
        teams.push(Team {
            office,
            officers,
            clerk: clerks[0],
            leader: leaders[0],
        });
    }
    let mut rng = StdRng::seed_from_u64(opts.seed);
    // Reception moments first, in order, so that codes and register lines
    // follow time as they do at a counter. None today: live counters start clean.
    let today = to_local(now).date_naive();
    let days = i64::from(opts.years.max(1)) * 365;
    let mut moments: Vec<(NaiveDateTime, usize)> = (0..opts.dossiers)
        .map(|_| {
            let t = reception_moment(&mut rng, cal, today, days);
            // The root office and the first branches receive more.
            let team = (rng.gen_range(0.0f64..1.0).powf(1.6) * teams.len() as f64) as usize;
            (t, team.min(teams.len() - 1))
        })
        .collect();
    moments.sort();
    // PostgreSQL's trigram indexes cost more to keep row by row than to build
    // once: a bulk load drops them and builds them again at the end.
    let pg = matches!(conn, DbConnection::Postgresql(_));
    if pg {
        for (name, _) in PG_SEARCH_INDEXES {
            diesel::sql_query(format!("DROP INDEX IF EXISTS {name}")).execute(conn)?;
        }
    }
    let mut day_counters: HashMap<(usize, NaiveDate), u32> = HashMap::new();
    let mut register: HashMap<(usize, i32), i32> = HashMap::new();
    let mut written = 0u64;
    // The load, then the indexes built again whatever became of it.
    let mut load = || -> Result<(), AppError> {
        for batch in moments.chunks(BATCH) {
            let mut plans = Vec::with_capacity(batch.len());
            for (local, team_index) in batch {
                let team = &teams[*team_index];
                let p = &procedures[rng.gen_range(0..procedures.len())];
                let seq = day_counters.entry((*team_index, local.date())).or_insert(0);
                *seq += 1;
                let line = register.entry((*team_index, local.year())).or_insert(0);
                *line += 1;
                plans.push(plan(&mut rng, cal, team, p, *local, *seq, *line, now)?);
            }
            write_tx(conn, |conn| {
                let rows: Vec<BulkDossier> = plans.iter().map(|p| p.dossier.clone()).collect();
                let ids: HashMap<String, i64> = bulk_insert(conn, &rows)?.into_iter().collect();
                let mut events = Vec::new();
                let mut deadlines = Vec::new();
                let mut documents = Vec::new();
                for p in &plans {
                    let Some(id) = ids.get(&p.dossier.code).copied() else {
                        continue;
                    };
                    events.extend(p.events.iter().cloned().map(|mut e| {
                        e.dossier_id = id;
                        e
                    }));
                    deadlines.extend(p.deadlines.iter().cloned().map(|mut d| {
                        d.dossier_id = id;
                        d
                    }));
                    if let Some((at, by)) = p.supplement {
                        crate::db::supplements::Supplement::insert(
                            conn,
                            id,
                            1,
                            at,
                            by,
                            "Bản sao giấy tờ chứng minh quyền, lợi ích hợp pháp",
                            "Đề nghị bổ sung trong 10 ngày",
                            false,
                        )?;
                    }
                    documents.extend(p.documents.iter().cloned().map(|mut d| {
                        d.dossier_id = id;
                        d
                    }));
                }
                bulk_insert_details(conn, &events, &deadlines, &documents)?;
                summary.events += events.len() as u64;
                Ok::<_, AppError>(())
            })?;
            summary.open += plans.iter().filter(|p| p.open).count() as u64;
            written += batch.len() as u64;
            progress(written);
        }
        Ok(())
    };
    let loaded = load();
    if pg {
        for (name, column) in PG_SEARCH_INDEXES {
            diesel::sql_query(format!(
                "CREATE INDEX IF NOT EXISTS {name} ON dossiers USING gin ({column} gin_trgm_ops)"
            ))
            .execute(conn)?;
        }
        // Fresh statistics for the planner after a bulk load.
        diesel::sql_query("ANALYZE").execute(conn)?;
    }
    loaded?;
    // Register lines continue after the generated ones.
    write_tx(conn, |conn| {
        for ((team, year), last) in &register {
            let key = format!("register:{}:{year}", teams[*team].office.id);
            sequences::start_at(conn, &key, i64::from(*last))?;
        }
        Ok::<_, AppError>(())
    })?;
    summary.dossiers = written;
    Ok(summary)
}

/// A local reception moment on a working day before today, in office hours.
fn reception_moment(
    rng: &mut StdRng,
    cal: &Calendar,
    today: NaiveDate,
    days: i64,
) -> NaiveDateTime {
    loop {
        let day = today - Duration::days(rng.gen_range(1..=days.max(1)));
        if !cal.is_working_day(day) {
            continue;
        }
        let minutes = 7 * 60 + 30 + rng.gen_range(0..(9 * 60 + 25));
        if let Some(t) = NaiveTime::from_hms_opt(minutes / 60, minutes % 60, rng.gen_range(0..60)) {
            return day.and_time(t);
        }
    }
}

/// A moment during office hours on the `n`-th working day after `day`, UTC.
fn working_moment(rng: &mut StdRng, cal: &Calendar, day: NaiveDate, n: u32) -> NaiveDateTime {
    let d = cal.nth_working_day_after(day, n);
    let minutes = 8 * 60 + rng.gen_range(0..(8 * 60));
    local_to_utc(
        d.and_time(NaiveTime::from_hms_opt(minutes / 60, minutes % 60, 0).unwrap_or_default()),
    )
}

struct Plan {
    dossier: BulkDossier,
    events: Vec<BulkEvent>,
    deadlines: Vec<BulkDeadline>,
    documents: Vec<BulkDocument>,
    /// A supplement requested and not yet received: when, by whom.
    supplement: Option<(NaiveDateTime, i64)>,
    open: bool,
}

#[allow(clippy::too_many_arguments)]
fn plan(
    rng: &mut StdRng,
    cal: &Calendar,
    team: &Team,
    p: &ProcedureFull,
    local: NaiveDateTime,
    sequence: u32,
    line: i32,
    now: NaiveDateTime,
) -> Result<Plan, AppError> {
    let received_at = local_to_utc(local);
    let n = p.working_days_on(local.date()).unwrap_or(10);
    let deadline =
        compute(cal, local, n).map_err(|e| AppError::Internal(format!("deadline: {e:?}")))?;
    let due = deadline.due_date;
    let code = format!(
        "{}-{}-{:04}",
        team.office.code,
        local.format("%y%m%d"),
        sequence
    );
    let officer = team.officers[rng.gen_range(0..team.officers.len())];
    let channel = match rng.gen_range(0..100) {
        0..=59 => "counter",
        60..=84 => "postal",
        _ => "online",
    };
    let name = person_name(rng);
    let mut events = vec![BulkEvent {
        dossier_id: 0,
        at: received_at,
        user_id: team.clerk,
        action: "receive".into(),
        from_status: None,
        to_status: "received".into(),
        note: String::new(),
        due_date: Some(due),
        assignee_id: None,
    }];
    let assigned_at =
        working_moment(rng, cal, deadline.effective_receiving_day, 0).max(received_at);
    let mut status = "received";
    let mut assignee = None;
    // Some of the last days' dossiers still wait for a leader to assign them.
    let waiting = now - received_at < Duration::days(3) && rng.gen_bool(0.3);
    if assigned_at <= now && !waiting {
        status = "in_progress";
        assignee = Some(officer);
        events.push(BulkEvent {
            dossier_id: 0,
            at: assigned_at,
            user_id: team.leader,
            action: "assign".into(),
            from_status: Some("received".into()),
            to_status: "in_progress".into(),
            note: String::new(),
            due_date: Some(due),
            assignee_id: Some(officer),
        });
    }
    // Its fate: withdrawn, or decided early, on time or late.
    let roll = rng.gen_range(0..100);
    let mut due_date = Some(due);
    let mut original_due = None;
    let mut extended = false;
    let mut decided_at = None;
    let mut withdrawn_at = None;
    let mut outcome = None;
    let mut delivered_at = None;
    let mut closing_reason = None;
    let mut extension: Option<(NaiveDateTime, NaiveDate)> = None;
    let mut supplement = None;
    let nn = n.max(1);
    if roll < 3 {
        let k = rng.gen_range(1..=nn);
        let at = working_moment(rng, cal, deadline.effective_receiving_day, k)
            .max(assigned_at + Duration::minutes(10));
        if at <= now && status == "in_progress" {
            events.push(event(
                at,
                team.clerk,
                "withdraw",
                status,
                "withdrawn",
                due_date,
                assignee,
            ));
            status = "withdrawn";
            withdrawn_at = Some(at);
            closing_reason = Some("Người nộp xin rút hồ sơ".to_string());
        }
    } else {
        let k = match roll {
            3..=57 => rng.gen_range(0..nn),
            58..=80 => n,
            _ => n + rng.gen_range(1..=8),
        };
        // Every step after the one before it.
        let mut floor = assigned_at + Duration::minutes(10);
        if roll > 95 && k > n && status == "in_progress" {
            // Late and apologised for (Mẫu 04, the day before the due date):
            // a new date, judged late anyway.
            let before_due = deadline
                .counted
                .iter()
                .rev()
                .nth(1)
                .copied()
                .unwrap_or(deadline.effective_receiving_day);
            let at = working_moment(rng, cal, before_due, 0).max(floor);
            if at <= now {
                let new_due = cal.nth_working_day_after(due, k - n + 1);
                extended = true;
                original_due = Some(due);
                due_date = Some(new_due);
                events.push(BulkEvent {
                    note: format!(
                        "Xin lỗi và hẹn lại ngày trả: từ {} sang {}. Lý do: hồ sơ phức tạp, cần xác minh thêm",
                        due.format("%d/%m/%Y"),
                        new_due.format("%d/%m/%Y")
                    ),
                    ..event(at, team.leader, "extend", "in_progress", "in_progress", due_date, assignee)
                });
                extension = Some((at, new_due));
                floor = at + Duration::minutes(10);
            }
        }
        let submit = working_moment(
            rng,
            cal,
            deadline.effective_receiving_day,
            k.saturating_sub(1),
        )
        .max(floor);
        let decide = working_moment(rng, cal, deadline.effective_receiving_day, k)
            .max(submit + Duration::minutes(30));
        if status == "in_progress" && submit <= now {
            events.push(event(
                submit,
                officer,
                "submit_for_approval",
                "in_progress",
                "awaiting_approval",
                due_date,
                assignee,
            ));
            status = "awaiting_approval";
        }
        if status == "awaiting_approval" && decide <= now {
            let refused = rng.gen_range(0..100) < 5;
            events.push(event(
                decide,
                team.leader,
                if refused { "refuse" } else { "approve" },
                "awaiting_approval",
                "result_ready",
                due_date,
                assignee,
            ));
            status = "result_ready";
            decided_at = Some(decide);
            outcome = Some(if refused { "refused" } else { "granted" }.to_string());
            if refused {
                closing_reason = Some("Không đủ điều kiện giải quyết".to_string());
            }
            let wait = rng.gen_range(0..4);
            let handed = working_moment(rng, cal, to_local(decide).date_naive(), wait)
                .max(decide + Duration::minutes(10));
            if handed <= now {
                let postal = channel == "postal" && rng.gen_bool(0.7);
                if postal {
                    events.push(event(
                        handed,
                        team.clerk,
                        "ship_by_post",
                        "result_ready",
                        "in_transit",
                        due_date,
                        assignee,
                    ));
                    status = "in_transit";
                    let arrived = handed + Duration::days(rng.gen_range(1..6));
                    if arrived <= now {
                        events.push(event(
                            arrived,
                            team.clerk,
                            "postal_delivered",
                            "in_transit",
                            "delivered",
                            due_date,
                            assignee,
                        ));
                        status = "delivered";
                        delivered_at = Some(arrived);
                    }
                } else {
                    events.push(event(
                        handed,
                        team.clerk,
                        "deliver_at_counter",
                        "result_ready",
                        "delivered",
                        due_date,
                        assignee,
                    ));
                    status = "delivered";
                    delivered_at = Some(handed);
                }
            }
        }
    }
    // A few open dossiers wait for a supplement: no due date meanwhile.
    if status == "in_progress" && rng.gen_range(0..100) < 8 {
        let at = working_moment(rng, cal, deadline.effective_receiving_day, 1)
            .max(assigned_at + Duration::minutes(10))
            .min(now);
        supplement = Some((at, officer));
        events.push(event(
            at,
            officer,
            "request_supplement",
            "in_progress",
            "awaiting_supplement",
            None,
            assignee,
        ));
        status = "awaiting_supplement";
        due_date = None;
    }
    let open = matches!(
        status,
        "received" | "in_progress" | "awaiting_supplement" | "awaiting_approval"
    );
    let timeliness = match (decided_at, due_date) {
        (Some(at), Some(d)) => Some(decided_timeliness(at, d, extended, 0).as_str().to_string()),
        _ => None,
    };
    let (counted, skipped) = deadline_columns(&deadline);
    let updated_at = events.last().map(|e| e.at).unwrap_or(received_at);
    let documents = p
        .documents
        .iter()
        .take(3)
        .enumerate()
        .map(|(i, d)| BulkDocument {
            dossier_id: 0,
            position: i as i32 + 1,
            name: d.name.clone(),
            form: d.form.clone(),
            count: d.count,
        })
        .collect();
    Ok(Plan {
        dossier: BulkDossier {
            code,
            office_id: team.office.id,
            procedure_id: p.procedure.id,
            working_days: n as i32,
            channel: channel.into(),
            status: status.into(),
            outcome,
            voided: false,
            version: events.len() as i32,
            applicant_kind: "person".into(),
            applicant_folded: fold(&name),
            applicant_name: name,
            id_number: Some(citizen_id(rng)),
            phone: phone(rng),
            address: address(rng),
            return_method: if channel == "postal" {
                "postal"
            } else {
                "counter"
            }
            .into(),
            note: String::new(),
            sets: 1,
            received_at,
            effective_day: deadline.effective_receiving_day,
            due_date,
            original_due_date: original_due,
            supplement_requests: i32::from(status == "awaiting_supplement"),
            decided_at,
            assignee_id: assignee,
            register_year: local.year(),
            register_number: line,
            lookup_token: uuid::Uuid::new_v4().simple().to_string(),
            received_by: team.clerk,
            created_at: received_at,
            updated_at,
            extended,
            late_supplement: false,
            result_number: decided_at.map(|_| format!("{}/QĐ-THADS", rng.gen_range(1..9999))),
            result_date: decided_at.map(|d| to_local(d).date_naive()),
            result_signer: decided_at.map(|_| "Lãnh đạo".to_string()),
            delivered_at,
            recipient_name: None,
            postal_returns: 0,
            withdrawn_at,
            timeliness,
            closing_reason,
            // Invented applicants with real-looking phones: never contacted.
            notify: false,
        },
        events,
        deadlines: std::iter::once(BulkDeadline {
            dossier_id: 0,
            at: received_at,
            user_id: team.clerk,
            cause: "receive".into(),
            basis_at: received_at,
            working_days: n as i32,
            effective_day: deadline.effective_receiving_day,
            due_date: due,
            counted,
            skipped,
        })
        .chain(extension.map(|(at, new_due)| BulkDeadline {
            dossier_id: 0,
            at,
            user_id: team.leader,
            cause: "extend".into(),
            basis_at: at,
            working_days: n as i32,
            effective_day: deadline.effective_receiving_day,
            due_date: new_due,
            counted: String::new(),
            skipped: "[]".into(),
        }))
        .collect(),
        supplement,
        documents,
        open,
    })
}

fn event(
    at: NaiveDateTime,
    user: i64,
    action: &str,
    from: &str,
    to: &str,
    due: Option<NaiveDate>,
    assignee: Option<i64>,
) -> BulkEvent {
    BulkEvent {
        dossier_id: 0,
        at,
        user_id: user,
        action: action.into(),
        from_status: Some(from.into()),
        to_status: to.into(),
        note: String::new(),
        due_date: due,
        assignee_id: assignee,
    }
}
