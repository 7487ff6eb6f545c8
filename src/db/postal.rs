//! Postal work: intake records (dossiers received from the postal worker)
//! and shipments (results handed to the postal worker).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{dossiers, postal_intakes, shipment_lines, shipments};
use super::DbConnection;
use crate::error::AppError;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = postal_intakes)]
pub struct PostalIntake {
    pub id: i64,
    pub office_id: i64,
    pub record_number: String,
    pub signed_at: NaiveDateTime,
    pub postal_worker: String,
    pub created_at: NaiveDateTime,
    pub created_by: i64,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = shipments)]
pub struct Shipment {
    pub id: i64,
    pub office_id: i64,
    pub number: String,
    pub postal_worker: String,
    pub created_at: NaiveDateTime,
    pub created_by: i64,
}

impl PostalIntake {
    pub fn insert(
        conn: &mut DbConnection,
        office_id: i64,
        record_number: &str,
        signed_at: NaiveDateTime,
        postal_worker: &str,
        by: i64,
        now: NaiveDateTime,
    ) -> Result<PostalIntake, AppError> {
        Ok(diesel::insert_into(postal_intakes::table)
            .values((
                postal_intakes::office_id.eq(office_id),
                postal_intakes::record_number.eq(record_number),
                postal_intakes::signed_at.eq(signed_at),
                postal_intakes::postal_worker.eq(postal_worker),
                postal_intakes::created_at.eq(now),
                postal_intakes::created_by.eq(by),
            ))
            .get_result::<PostalIntake>(conn)?)
    }

    pub fn find(conn: &mut DbConnection, id: i64) -> Result<Option<PostalIntake>, AppError> {
        Ok(postal_intakes::table
            .find(id)
            .select(PostalIntake::as_select())
            .first(conn)
            .optional()?)
    }

    pub fn find_by_number(
        conn: &mut DbConnection,
        office_id: i64,
        number: &str,
    ) -> Result<Option<PostalIntake>, AppError> {
        Ok(postal_intakes::table
            .filter(postal_intakes::office_id.eq(office_id))
            .filter(postal_intakes::record_number.eq(number))
            .select(PostalIntake::as_select())
            .first(conn)
            .optional()?)
    }

    /// The latest records of these offices.
    pub fn recent(
        conn: &mut DbConnection,
        office_ids: &[i64],
        limit: i64,
    ) -> Result<Vec<PostalIntake>, AppError> {
        Ok(postal_intakes::table
            .filter(postal_intakes::office_id.eq_any(office_ids.to_vec()))
            .select(PostalIntake::as_select())
            .order(postal_intakes::signed_at.desc())
            .limit(limit)
            .load(conn)?)
    }

    /// Codes and postal slips of the dossiers received under a record.
    pub fn dossiers(
        conn: &mut DbConnection,
        id: i64,
    ) -> Result<Vec<(String, String, Option<String>)>, AppError> {
        Ok(dossiers::table
            .filter(dossiers::intake_id.eq(id))
            .select((
                dossiers::code,
                dossiers::applicant_name,
                dossiers::postal_slip,
            ))
            .order(dossiers::code.asc())
            .load(conn)?)
    }
}

impl Shipment {
    pub fn insert(
        conn: &mut DbConnection,
        office_id: i64,
        number: &str,
        postal_worker: &str,
        by: i64,
        now: NaiveDateTime,
    ) -> Result<Shipment, AppError> {
        Ok(diesel::insert_into(shipments::table)
            .values((
                shipments::office_id.eq(office_id),
                shipments::number.eq(number),
                shipments::postal_worker.eq(postal_worker),
                shipments::created_at.eq(now),
                shipments::created_by.eq(by),
            ))
            .get_result::<Shipment>(conn)?)
    }

    pub fn find(conn: &mut DbConnection, id: i64) -> Result<Option<Shipment>, AppError> {
        Ok(shipments::table
            .find(id)
            .select(Shipment::as_select())
            .first(conn)
            .optional()?)
    }

    pub fn recent(
        conn: &mut DbConnection,
        office_ids: &[i64],
        limit: i64,
    ) -> Result<Vec<Shipment>, AppError> {
        Ok(shipments::table
            .filter(shipments::office_id.eq_any(office_ids.to_vec()))
            .select(Shipment::as_select())
            .order(shipments::id.desc())
            .limit(limit)
            .load(conn)?)
    }
}

/// A line of a handover list, as signed.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = shipment_lines)]
pub struct ShipmentLine {
    pub id: i64,
    pub shipment_id: i64,
    pub dossier_id: i64,
    pub code: String,
    pub recipient: String,
    pub address: String,
    pub tracking_number: String,
    pub postage: Option<i64>,
}

impl ShipmentLine {
    #[allow(clippy::too_many_arguments)]
    pub fn insert(
        conn: &mut DbConnection,
        shipment_id: i64,
        dossier_id: i64,
        code: &str,
        recipient: &str,
        address: &str,
        tracking_number: &str,
        postage: Option<i64>,
    ) -> Result<(), AppError> {
        diesel::insert_into(shipment_lines::table)
            .values((
                shipment_lines::shipment_id.eq(shipment_id),
                shipment_lines::dossier_id.eq(dossier_id),
                shipment_lines::code.eq(code),
                shipment_lines::recipient.eq(recipient),
                shipment_lines::address.eq(address),
                shipment_lines::tracking_number.eq(tracking_number),
                shipment_lines::postage.eq(postage),
            ))
            .execute(conn)?;
        Ok(())
    }

    pub fn of_shipment(
        conn: &mut DbConnection,
        shipment_id: i64,
    ) -> Result<Vec<ShipmentLine>, AppError> {
        Ok(shipment_lines::table
            .filter(shipment_lines::shipment_id.eq(shipment_id))
            .select(ShipmentLine::as_select())
            .order(shipment_lines::id.asc())
            .load(conn)?)
    }
}
