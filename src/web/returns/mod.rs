//! Returning results: the return counter (find by code or scanned QR link,
//! see what is ready, hand over, rate, print the return record) and the
//! postal desk (intake records, handover lists to the postal worker,
//! delivery outcomes imported from the postal operator's CSV).

mod outcomes;
mod postal_desk;
mod return_counter;
mod shipments;

pub use outcomes::import;
pub use postal_desk::{intake_page, open_intake, postal};
pub use return_counter::{counter, counter_search, rate, return_record};
pub use shipments::{ship, shipment_print};
