//! Administration use cases shared by the admin pages and the command line:
//! users and offices, each change in one transaction with its audit entry.

use chrono::NaiveDateTime;

use crate::db::offices::{NewOffice, Office};
use crate::db::users::{NewUser, User};
use crate::db::{audit, write_tx, DbConnection};
use crate::domain::fields::FieldErrors;
use crate::domain::office::{parse_office_name, would_cycle, Contacts, OfficeCode};
use crate::domain::user::{parse_full_name, Username};
use crate::domain::Role;
use crate::error::ActionError;
use crate::error::AppError;
use crate::services::Actor;

/// What creating a user needs, as typed.
#[derive(Debug, Clone, Default)]
pub struct NewUserInput {
    pub username: String,
    pub full_name: String,
    pub role: String,
    pub office_code: String,
    pub must_change_password: bool,
}

fn office_by_code(conn: &mut DbConnection, code: &str) -> Result<Option<Office>, AppError> {
    Office::find_by_code(conn, code.trim())
}

/// Creates a user. `password_hash` is the new password hashed beforehand
/// (outside the database connection), or why the typed one was refused.
pub fn create_user(
    conn: &mut DbConnection,
    actor: &Actor,
    input: &NewUserInput,
    password_hash: Result<String, &'static str>,
    now: NaiveDateTime,
) -> Result<User, ActionError> {
    let mut errors = FieldErrors::new();
    let username = errors.check("username", Username::parse(&input.username));
    let full_name = errors.check("full_name", parse_full_name(&input.full_name));
    let role = errors.check(
        "role",
        input
            .role
            .parse::<Role>()
            .map_err(|_| "Chọn vai trò của người dùng."),
    );
    let password_hash = errors.check("password", password_hash);
    if input.office_code.trim().is_empty() {
        errors.add("office", "Chọn đơn vị của người dùng.");
    }
    if !errors.is_empty() {
        return Err(ActionError::Invalid(errors));
    }
    let (Some(username), Some(full_name), Some(role), Some(password_hash)) =
        (username, full_name, role, password_hash)
    else {
        return Err(ActionError::Invalid(errors));
    };
    write_tx(conn, |conn| {
        let office = match office_by_code(conn, &input.office_code)? {
            Some(o) if o.active => o,
            _ => {
                return Err(ActionError::field(
                    "office",
                    format!(
                        "Không có đơn vị đang hoạt động mã {}.",
                        input.office_code.trim()
                    ),
                ))
            }
        };
        if User::find_by_username(conn, username.as_str())?.is_some() {
            return Err(ActionError::field(
                "username",
                format!("Tên đăng nhập {} đã có người dùng.", username.as_str()),
            ));
        }
        let user = User::insert(
            conn,
            &NewUser {
                username: username.as_str(),
                full_name: &full_name,
                password_hash: &password_hash,
                role: role.as_str(),
                office_id: office.id,
                active: true,
                session_epoch: 0,
                must_change_password: input.must_change_password,
                created_at: now,
                updated_at: now,
            },
        )?;
        audit::record(
            conn,
            now,
            &actor.username,
            "user.create",
            username.as_str(),
            &format!(
                "Tạo người dùng {full_name}, vai trò {}, đơn vị {}",
                role.label(),
                office.code
            ),
        )?;
        Ok(user)
    })
}

/// What an administrator may change on a user.
#[derive(Debug, Clone, Default)]
pub struct UserChanges {
    pub full_name: String,
    pub role: String,
    pub office_code: String,
    pub active: bool,
}

pub fn update_user(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    changes: &UserChanges,
    now: NaiveDateTime,
) -> Result<(), ActionError> {
    let mut errors = FieldErrors::new();
    let full_name = errors.check("full_name", parse_full_name(&changes.full_name));
    let role = errors.check(
        "role",
        changes
            .role
            .parse::<Role>()
            .map_err(|_| "Chọn vai trò của người dùng."),
    );
    let (Some(full_name), Some(role)) = (full_name, role) else {
        return Err(ActionError::Invalid(errors));
    };
    write_tx(conn, |conn| {
        let user = User::find_editable(conn, id)?;
        let office = match office_by_code(conn, &changes.office_code)? {
            Some(o) if o.active || o.id == user.office_id => o,
            _ => {
                return Err(ActionError::field(
                    "office",
                    "Chọn một đơn vị đang hoạt động.",
                ))
            }
        };
        if id == actor.user_id && !changes.active {
            return Err(ActionError::field(
                "active",
                "Bạn không thể tự khóa tài khoản của mình.",
            ));
        }
        let was_active_admin = user.active && user.role() == Some(Role::Admin);
        let stays_active_admin = changes.active && role == Role::Admin;
        if was_active_admin && !stays_active_admin && User::count_active_admins(conn)? <= 1 {
            return Err(ActionError::field(
                "role",
                "Đây là quản trị viên cuối cùng đang hoạt động: không thể đổi vai trò hay khóa tài khoản này.",
            ));
        }
        User::update_profile(conn, id, &full_name, role, office.id, changes.active, now)?;
        let mut what = Vec::new();
        if user.full_name != full_name {
            what.push(format!("họ tên: {} → {}", user.full_name, full_name));
        }
        if user.role != role.as_str() {
            what.push(format!("vai trò: {} → {}", user.role, role.as_str()));
        }
        if user.office_id != office.id {
            what.push(format!("đơn vị → {}", office.code));
        }
        if user.active != changes.active {
            what.push(if changes.active {
                "mở khóa".to_string()
            } else {
                "khóa tài khoản".to_string()
            });
        }
        if !changes.active {
            crate::db::api_tokens::ApiToken::revoke_all(conn, id)?;
        }
        let detail = if what.is_empty() {
            "không thay đổi".to_string()
        } else {
            what.join("; ")
        };
        audit::record(
            conn,
            now,
            &actor.username,
            "user.update",
            &user.username,
            &detail,
        )?;
        Ok(())
    })
}

/// An administrator sets a new password; the user must change it at next login.
/// `password_hash`: the new password hashed beforehand, or why it was refused.
pub fn reset_password(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    password_hash: Result<String, &'static str>,
    now: NaiveDateTime,
) -> Result<(), ActionError> {
    let password_hash = password_hash.map_err(|m| ActionError::field("password", m))?;
    write_tx(conn, |conn| {
        let user = User::find_editable(conn, id)?;
        User::set_password(conn, id, &password_hash, true, now)?;
        crate::db::login_failures::clear_user(conn, &user.username)?;
        audit::record(
            conn,
            now,
            &actor.username,
            "user.reset_password",
            &user.username,
            "Đặt lại mật khẩu",
        )?;
        Ok(())
    })
}

/// Whether a signed-in user may try his current password now (too many
/// wrong ones make him wait), and the hash to check it against.
pub fn password_change_gate(
    conn: &mut DbConnection,
    id: i64,
    now: NaiveDateTime,
) -> Result<String, ActionError> {
    use crate::domain::throttle::password_change_key;
    let user = User::find(conn, id)?;
    let key = password_change_key(&user.username);
    if let Some(until) = crate::db::login_failures::blocked_until(conn, &key, now)? {
        return Err(ActionError::field(
            "current_password",
            format!(
                "Bạn đã nhập sai mật khẩu nhiều lần. Vui lòng thử lại sau {}.",
                crate::domain::time::format_datetime(until)
            ),
        ));
    }
    Ok(user.password_hash)
}

/// What the password form gave, the checks that need argon2 done beforehand
/// (outside the database connection).
pub struct PasswordChange<'a> {
    pub current: &'a str,
    /// The current password matched the stored hash.
    pub current_ok: bool,
    pub new: &'a str,
    pub confirm: &'a str,
    /// The new password hashed when it follows the policy, or why not.
    pub new_hash: Result<String, &'static str>,
}

/// A user changes his own password, knowing the current one.
pub fn change_own_password(
    conn: &mut DbConnection,
    id: i64,
    change: PasswordChange<'_>,
    now: NaiveDateTime,
) -> Result<i32, ActionError> {
    use crate::db::login_failures;
    use crate::domain::throttle::{password_change_key, wait_after};
    let user = User::find(conn, id)?;
    let key = password_change_key(&user.username);
    let mut errors = FieldErrors::new();
    if change.current.is_empty() {
        errors.add("current_password", "Nhập mật khẩu hiện tại.");
    } else if !change.current_ok {
        // Guesses at the current password count like wrong logins.
        login_failures::record_failure(conn, &key, now, wait_after)?;
        errors.add("current_password", "Mật khẩu hiện tại không đúng.");
    }
    let new_hash = errors.check("new_password", change.new_hash);
    if new_hash.is_some() && change.new == change.current {
        errors.add("new_password", "Mật khẩu mới phải khác mật khẩu hiện tại.");
    }
    if change.confirm != change.new {
        errors.add("confirm_password", "Nhập lại đúng mật khẩu mới.");
    }
    let (true, Some(password_hash)) = (errors.is_empty(), new_hash) else {
        return Err(ActionError::Invalid(errors));
    };
    write_tx(conn, |conn| {
        User::set_password(conn, id, &password_hash, false, now)?;
        login_failures::clear(conn, &key)?;
        audit::record(
            conn,
            now,
            &user.username,
            "user.change_password",
            &user.username,
            "Tự đổi mật khẩu",
        )?;
        Ok(User::find(conn, id)?.session_epoch)
    })
}

pub fn create_office(
    conn: &mut DbConnection,
    actor: &Actor,
    code: &str,
    name: &str,
    parent_code: Option<&str>,
    now: NaiveDateTime,
) -> Result<Office, ActionError> {
    let mut errors = FieldErrors::new();
    let code = errors.check("code", OfficeCode::parse(code));
    let name = errors.check("name", parse_office_name(name));
    let (Some(code), Some(name)) = (code, name) else {
        return Err(ActionError::Invalid(errors));
    };
    write_tx(conn, |conn| {
        if Office::find_by_code(conn, code.as_str())?.is_some() {
            return Err(ActionError::field(
                "code",
                format!("Mã đơn vị {code} đã có."),
            ));
        }
        let parent_id = match parent_code.map(str::trim).filter(|c| !c.is_empty()) {
            None => None,
            Some(p) => match Office::find_by_code(conn, p)? {
                Some(o) => Some(o.id),
                None => {
                    return Err(ActionError::field(
                        "parent",
                        format!("Không có đơn vị cấp trên mã {p}."),
                    ))
                }
            },
        };
        let office = Office::insert(
            conn,
            &NewOffice {
                code: code.as_str(),
                name: &name,
                parent_id,
                active: true,
                created_at: now,
            },
        )?;
        audit::record(
            conn,
            now,
            &actor.username,
            "office.create",
            code.as_str(),
            &name,
        )?;
        Ok(office)
    })
}

#[allow(clippy::too_many_arguments)]
pub fn update_office(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    name: &str,
    parent_code: Option<&str>,
    active: bool,
    contacts: [&str; 5],
    now: NaiveDateTime,
) -> Result<(), ActionError> {
    let mut errors = FieldErrors::new();
    let name = errors.check("name", parse_office_name(name));
    let [address, phone, email, hours, place] = contacts;
    let contacts = match Contacts::parse(address, phone, email, hours, place) {
        Ok(c) => Some(c),
        Err(list) => {
            for (field, message) in list {
                errors.add(field, message);
            }
            None
        }
    };
    let (Some(name), Some(contacts)) = (name, contacts) else {
        return Err(ActionError::Invalid(errors));
    };
    write_tx(conn, |conn| {
        let office = Office::find(conn, id)?;
        let parent_id = match parent_code.map(str::trim).filter(|c| !c.is_empty()) {
            None => None,
            Some(p) => match Office::find_by_code(conn, p)? {
                Some(parent) => {
                    if would_cycle(&Office::parent_pairs(conn)?, id, parent.id) {
                        return Err(ActionError::field(
                            "parent",
                            "Đơn vị cấp trên không thể là chính đơn vị này hay một đơn vị trực thuộc nó.",
                        ));
                    }
                    Some(parent.id)
                }
                None => {
                    return Err(ActionError::field(
                        "parent",
                        format!("Không có đơn vị cấp trên mã {p}."),
                    ))
                }
            },
        };
        if !active && office.active && User::count_active_in_office(conn, id)? > 0 {
            return Err(ActionError::field(
                "active",
                "Đơn vị còn người dùng đang hoạt động: chuyển hoặc khóa họ trước khi ngừng đơn vị.",
            ));
        }
        Office::update(conn, id, &name, parent_id, active, &contacts)?;
        audit::record(
            conn,
            now,
            &actor.username,
            "office.update",
            &office.code,
            &format!(
                "{name}{}",
                if active {
                    ""
                } else {
                    " (ngừng hoạt động)"
                }
            ),
        )?;
        Ok(())
    })
}
