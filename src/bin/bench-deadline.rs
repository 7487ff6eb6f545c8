//! Benchmark of the deadline engine: prints figures, asserts nothing.
//! Run with `cargo run --release --bin bench-deadline`.

use std::hint::black_box;
use std::time::Instant;

use chrono::{Datelike, Duration, NaiveDate, NaiveTime};
use motcua::domain::calendar::Calendar;
use motcua::domain::deadline::compute;

fn main() {
    let started = Instant::now();
    let cal = Calendar::by_rule();
    let build = started.elapsed();
    println!(
        "calendar built by rule for 1995-2100 in {:.2} ms",
        build.as_secs_f64() * 1000.0
    );

    let base = NaiveDate::from_ymd_opt(2026, 1, 1).expect("date");
    for n in [0u32, 5, 15, 30, 90] {
        let iterations = 200_000;
        let t = Instant::now();
        let mut checksum = 0i64;
        for i in 0..iterations {
            let day = base + Duration::days(i64::from(i % 730));
            let time = NaiveTime::from_hms_opt(7 + (i % 12), (i * 7) % 60, 0).expect("time");
            let dl = compute(&cal, black_box(day.and_time(time)), black_box(n)).expect("due date");
            checksum += i64::from(dl.due_date.ordinal0());
        }
        let per = t.elapsed().as_nanos() as f64 / f64::from(iterations);
        println!("due date, n = {n:>2} working days: {per:>8.0} ns per computation ({iterations} runs, checksum {checksum})");
    }
}
