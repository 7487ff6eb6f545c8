//! Work lists: the officer's inbox (his dossiers by due date, overdue and
//! due-soon marked) and the leader's queue (dossiers to assign, one or many
//! at once, and results awaiting approval).

mod leader_queue;
mod officer_inbox;
mod rows;

pub use leader_queue::{assign_many, queue};
pub use officer_inbox::inbox;
