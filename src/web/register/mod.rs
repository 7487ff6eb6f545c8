//! The register (Sổ theo dõi hồ sơ, Mẫu 06): every dossier of the offices a
//! staff member sees, numbered from 1 each year, filtered by the query
//! string, paged, printable on A4 and exported to Excel and CSV.

mod exports;
mod page;

pub use exports::{csv, excel};
pub use page::{index, print};
