//! Staff accounts.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{offices, users};
use super::DbConnection;
use crate::domain::Role;
use crate::error::AppError;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub password_hash: String,
    pub role: String,
    pub office_id: i64,
    pub active: bool,
    pub session_epoch: i32,
    pub must_change_password: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl User {
    /// The role; an unknown stored role (never written by the app) acts as no role.
    pub fn role(&self) -> Option<Role> {
        self.role.parse().ok()
    }
}

/// The account that changes made by the system itself (official schedules
/// arriving with an upgrade) are recorded under: inactive, no usable password.
/// A name no administrator can give (`Username::parse` refuses it).
pub const SYSTEM_USERNAME: &str = "hệ thống";
pub const SYSTEM_FULL_NAME: &str = "Hệ thống (tự động)";

#[derive(Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub username: &'a str,
    pub full_name: &'a str,
    pub password_hash: &'a str,
    pub role: &'a str,
    pub office_id: i64,
    pub active: bool,
    pub session_epoch: i32,
    pub must_change_password: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A user listed with the code and name of its office.
#[derive(Debug, Clone, Queryable)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub role: String,
    pub active: bool,
    pub office_code: String,
    pub office_name: String,
}

impl User {
    pub fn find(conn: &mut DbConnection, id: i64) -> Result<User, AppError> {
        Ok(users::table
            .find(id)
            .select(User::as_select())
            .first(conn)?)
    }

    /// A user an administrator may see and change: any but the system account.
    pub fn find_editable(conn: &mut DbConnection, id: i64) -> Result<User, AppError> {
        let user = Self::find(conn, id)?;
        if user.username == SYSTEM_USERNAME {
            return Err(AppError::NotFound);
        }
        Ok(user)
    }

    pub fn find_by_username(
        conn: &mut DbConnection,
        username: &str,
    ) -> Result<Option<User>, AppError> {
        Ok(users::table
            .filter(users::username.eq(username))
            .select(User::as_select())
            .first(conn)
            .optional()?)
    }

    pub fn insert(conn: &mut DbConnection, new: &NewUser<'_>) -> Result<User, AppError> {
        Ok(diesel::insert_into(users::table)
            .values(new)
            .get_result::<User>(conn)?)
    }

    pub fn count_active_admins(conn: &mut DbConnection) -> Result<i64, AppError> {
        Ok(users::table
            .filter(users::role.eq(Role::Admin.as_str()))
            .filter(users::active.eq(true))
            .count()
            .get_result(conn)?)
    }

    /// Users whose username or full name contains `q`, page by page.
    pub fn list(
        conn: &mut DbConnection,
        q: &str,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<UserRow>, i64), AppError> {
        // `%`, `_` and `\` typed in the search match themselves.
        let pattern = format!("%{}%", super::dossiers::like_escape(q.trim()));
        let filter = users::username.ne(SYSTEM_USERNAME).and(
            users::username
                .like(pattern.clone())
                .escape('\\')
                .or(users::full_name.like(pattern).escape('\\')),
        );
        let total = users::table
            .filter(filter.clone())
            .count()
            .get_result(conn)?;
        let rows = users::table
            .inner_join(offices::table)
            .filter(filter)
            .select((
                users::id,
                users::username,
                users::full_name,
                users::role,
                users::active,
                offices::code,
                offices::name,
            ))
            .order(users::username.asc())
            .offset(offset)
            .limit(limit)
            .load(conn)?;
        Ok((rows, total))
    }

    pub fn update_profile(
        conn: &mut DbConnection,
        id: i64,
        full_name: &str,
        role: Role,
        office_id: i64,
        active: bool,
        now: NaiveDateTime,
    ) -> Result<(), AppError> {
        // A change of role, office or activity ends the user's open sessions.
        diesel::update(users::table.find(id))
            .set((
                users::full_name.eq(full_name),
                users::role.eq(role.as_str()),
                users::office_id.eq(office_id),
                users::active.eq(active),
                users::session_epoch.eq(users::session_epoch + 1),
                users::updated_at.eq(now),
            ))
            .execute(conn)?;
        Ok(())
    }

    /// Sets a new password hash and ends every open session and API token of the user.
    pub fn set_password(
        conn: &mut DbConnection,
        id: i64,
        hash: &str,
        must_change: bool,
        now: NaiveDateTime,
    ) -> Result<(), AppError> {
        diesel::update(users::table.find(id))
            .set((
                users::password_hash.eq(hash),
                users::must_change_password.eq(must_change),
                users::session_epoch.eq(users::session_epoch + 1),
                users::updated_at.eq(now),
            ))
            .execute(conn)?;
        super::api_tokens::ApiToken::revoke_all(conn, id)?;
        Ok(())
    }
}

impl User {
    /// The user with its office, for the session check on every request.
    pub fn with_office(
        conn: &mut DbConnection,
        id: i64,
    ) -> Result<Option<(User, super::offices::Office)>, AppError> {
        Ok(users::table
            .inner_join(offices::table)
            .filter(users::id.eq(id))
            .filter(users::username.ne(SYSTEM_USERNAME))
            .select((User::as_select(), super::offices::Office::as_select()))
            .first(conn)
            .optional()?)
    }
}

impl User {
    pub fn count_active_in_office(
        conn: &mut DbConnection,
        office_id: i64,
    ) -> Result<i64, AppError> {
        Ok(users::table
            .filter(users::office_id.eq(office_id))
            .filter(users::active.eq(true))
            .count()
            .get_result(conn)?)
    }
}

impl User {
    /// Active users of `role` in any of `office_ids`, by name.
    pub fn active_with_role_in(
        conn: &mut DbConnection,
        role: &str,
        office_ids: &[i64],
    ) -> Result<Vec<User>, AppError> {
        Ok(users::table
            .filter(users::role.eq(role))
            .filter(users::active.eq(true))
            .filter(users::office_id.eq_any(office_ids.to_vec()))
            .select(User::as_select())
            .order(users::full_name.asc())
            .load(conn)?)
    }

    /// Full names of the users `ids`.
    pub fn names(
        conn: &mut DbConnection,
        ids: &[i64],
    ) -> Result<Vec<(i64, String, String)>, AppError> {
        Ok(users::table
            .filter(users::id.eq_any(ids.to_vec()))
            .select((users::id, users::username, users::full_name))
            .load(conn)?)
    }
}
