//! The dossier API: `POST /api/v1/dossiers`, `GET /api/v1/dossiers/{code}`,
//! `GET /api/v1/dossiers`, `POST /api/v1/dossiers/{code}/actions`.

mod actions;
mod json;
mod read;
mod receive;

pub use actions::{act, action_input};
pub use json::{dossier_json, DossierJson};
pub use read::{list, show};
pub use receive::create;
