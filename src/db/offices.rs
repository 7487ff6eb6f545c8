//! Offices (đơn vị): a tree of agencies, each with its own counter.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::offices;
use super::DbConnection;
use crate::domain::office::Contacts;
use crate::error::AppError;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = offices)]
pub struct Office {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub parent_id: Option<i64>,
    pub active: bool,
    pub created_at: NaiveDateTime,
    /// Public contacts, shown to citizens.
    pub address: String,
    pub phone: String,
    pub email: String,
    pub hours: String,
    /// The place name printed before the date on this office's forms
    /// ("Nha Trang, ngày …"); empty: its parent's, or the installation's.
    pub place: String,
}

#[derive(Insertable)]
#[diesel(table_name = offices)]
pub struct NewOffice<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub parent_id: Option<i64>,
    pub active: bool,
    pub created_at: NaiveDateTime,
}

impl Office {
    pub fn contacts(&self) -> Contacts {
        Contacts {
            address: self.address.clone(),
            phone: self.phone.clone(),
            email: self.email.clone(),
            hours: self.hours.clone(),
            place: self.place.clone(),
        }
    }

    /// The office citizens deal with first: the oldest active office at the
    /// top of the tree.
    pub fn front(conn: &mut DbConnection) -> Result<Option<Office>, AppError> {
        Ok(offices::table
            .filter(offices::parent_id.is_null())
            .filter(offices::active.eq(true))
            .order(offices::id.asc())
            .select(Office::as_select())
            .first(conn)
            .optional()?)
    }

    pub fn all(conn: &mut DbConnection) -> Result<Vec<Office>, AppError> {
        Ok(offices::table
            .select(Office::as_select())
            .order(offices::code.asc())
            .load(conn)?)
    }

    pub fn find(conn: &mut DbConnection, id: i64) -> Result<Office, AppError> {
        Ok(offices::table
            .find(id)
            .select(Office::as_select())
            .first(conn)?)
    }

    pub fn find_by_code(conn: &mut DbConnection, code: &str) -> Result<Option<Office>, AppError> {
        Ok(offices::table
            .filter(offices::code.eq(code))
            .select(Office::as_select())
            .first(conn)
            .optional()?)
    }

    pub fn count(conn: &mut DbConnection) -> Result<i64, AppError> {
        Ok(offices::table.count().get_result(conn)?)
    }

    pub fn insert(conn: &mut DbConnection, new: &NewOffice<'_>) -> Result<Office, AppError> {
        Ok(diesel::insert_into(offices::table)
            .values(new)
            .get_result::<Office>(conn)?)
    }

    pub fn update(
        conn: &mut DbConnection,
        id: i64,
        name: &str,
        parent_id: Option<i64>,
        active: bool,
        contacts: &Contacts,
    ) -> Result<(), AppError> {
        diesel::update(offices::table.find(id))
            .set((
                offices::name.eq(name),
                offices::parent_id.eq(parent_id),
                offices::active.eq(active),
                offices::address.eq(&contacts.address),
                offices::phone.eq(&contacts.phone),
                offices::email.eq(&contacts.email),
                offices::hours.eq(&contacts.hours),
                offices::place.eq(&contacts.place),
            ))
            .execute(conn)?;
        Ok(())
    }

    /// The office and every office below it, by id.
    pub fn subtree_ids(conn: &mut DbConnection, root: i64) -> Result<Vec<i64>, AppError> {
        Ok(crate::domain::office::subtree(
            &Office::parent_pairs(conn)?,
            root,
        ))
    }
}

impl Office {
    /// Every office as `(id, parent)`, for tree checks.
    pub fn parent_pairs(conn: &mut DbConnection) -> Result<Vec<(i64, Option<i64>)>, AppError> {
        Ok(offices::table
            .select((offices::id, offices::parent_id))
            .load(conn)?)
    }
}
