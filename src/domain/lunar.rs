//! The Vietnamese lunar calendar (âm lịch), computed for UTC+7.
//!
//! Hồ Ngọc Đức's algorithm (astronomical new moons and solar terms after
//! Meeus). Vietnam's calendar follows the new moon as seen in UTC+7, China's in
//! UTC+8, so the two disagree in some years (Tết 1985, 2007, 2030...).

use chrono::{Datelike, NaiveDate};
use std::f64::consts::PI;

/// Vietnam's time zone, in hours, since 1967.
pub const VIETNAM_TZ: f64 = 7.0;

/// A day of the lunar calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LunarDate {
    pub day: u32,
    pub month: u32,
    pub year: i32,
    /// In the leap (nhuận) month.
    pub leap: bool,
}

/// Julian day number of a Gregorian date.
fn jdn(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce()) + 1_721_425
}

fn from_jdn(jd: i64) -> Option<NaiveDate> {
    i32::try_from(jd - 1_721_425)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
}

/// The day (JDN, local to `tz`) of the k-th new moon after 1900-01-01.
fn new_moon_day(k: i64, tz: f64) -> i64 {
    let k = k as f64;
    let t = k / 1236.85;
    let t2 = t * t;
    let t3 = t2 * t;
    let dr = PI / 180.0;
    let mut jd1 = 2_415_020.759_33 + 29.530_588_68 * k + 0.000_117_8 * t2 - 0.000_000_155 * t3;
    jd1 += 0.000_33 * ((166.56 + 132.87 * t - 0.009_173 * t2) * dr).sin();
    let m = 359.2242 + 29.105_356_08 * k - 0.000_033_3 * t2 - 0.000_003_47 * t3;
    let mpr = 306.0253 + 385.816_918_06 * k + 0.010_730_6 * t2 + 0.000_012_36 * t3;
    let f = 21.2964 + 390.670_506_46 * k - 0.001_652_8 * t2 - 0.000_002_39 * t3;
    let mut c1 = (0.1734 - 0.000_393 * t) * (m * dr).sin() + 0.0021 * (2.0 * dr * m).sin();
    c1 = c1 - 0.4068 * (mpr * dr).sin() + 0.0161 * (dr * 2.0 * mpr).sin();
    c1 -= 0.0004 * (dr * 3.0 * mpr).sin();
    c1 = c1 + 0.0104 * (dr * 2.0 * f).sin() - 0.0051 * (dr * (m + mpr)).sin();
    c1 = c1 - 0.0074 * (dr * (m - mpr)).sin() + 0.0004 * (dr * (2.0 * f + m)).sin();
    c1 = c1 - 0.0004 * (dr * (2.0 * f - m)).sin() - 0.0006 * (dr * (2.0 * f + mpr)).sin();
    c1 = c1 + 0.0010 * (dr * (2.0 * f - mpr)).sin() + 0.0005 * (dr * (2.0 * mpr + m)).sin();
    let deltat = if t < -11.0 {
        0.001 + 0.000_839 * t + 0.000_226_1 * t2 - 0.000_008_45 * t3 - 0.000_000_081 * t * t3
    } else {
        -0.000_278 + 0.000_265 * t + 0.000_262 * t2
    };
    (jd1 + c1 - deltat + 0.5 + tz / 24.0).floor() as i64
}

/// The sun's longitude at the start of day `jdn`, in 30° sectors (0..=11).
fn sun_longitude(jdn: i64, tz: f64) -> i64 {
    let t = (jdn as f64 - 2_451_545.5 - tz / 24.0) / 36525.0;
    let t2 = t * t;
    let dr = PI / 180.0;
    let m = 357.529_10 + 35_999.050_30 * t - 0.000_155_9 * t2 - 0.000_000_48 * t * t2;
    let l0 = 280.466_45 + 36_000.769_83 * t + 0.000_303_2 * t2;
    let mut dl = (1.914_600 - 0.004_817 * t - 0.000_014 * t2) * (dr * m).sin();
    dl += (0.019_993 - 0.000_101 * t) * (dr * 2.0 * m).sin() + 0.000_290 * (dr * 3.0 * m).sin();
    let mut l = (l0 + dl) * dr;
    l -= PI * 2.0 * (l / (PI * 2.0)).floor();
    (l / PI * 6.0).floor() as i64
}

/// The first day of the 11th lunar month (the one holding the winter solstice) of year `yy`.
fn lunar_month_11(yy: i32, tz: f64) -> i64 {
    let Some(dec31) = NaiveDate::from_ymd_opt(yy, 12, 31) else {
        return 0;
    };
    let off = jdn(dec31) as f64 - 2_415_021.0;
    let k = (off / 29.530_588_853).floor() as i64;
    let nm = new_moon_day(k, tz);
    if sun_longitude(nm, tz) >= 9 {
        new_moon_day(k - 1, tz)
    } else {
        nm
    }
}

/// Which month after month 11 (starting at `a11`) is the leap month.
fn leap_month_offset(a11: i64, tz: f64) -> i64 {
    let k = ((a11 as f64 - 2_415_021.076_998_695) / 29.530_588_853 + 0.5).floor() as i64;
    let mut i = 1;
    let mut arc = sun_longitude(new_moon_day(k + i, tz), tz);
    loop {
        let last = arc;
        i += 1;
        arc = sun_longitude(new_moon_day(k + i, tz), tz);
        if !(arc != last && i < 14) {
            break;
        }
    }
    i - 1
}

/// The lunar date of a solar date, in the time zone `tz` (7 for Vietnam).
pub fn solar_to_lunar_tz(date: NaiveDate, tz: f64) -> LunarDate {
    let day_number = jdn(date);
    let mut k = ((day_number as f64 - 2_415_021.076_998_695) / 29.530_588_853).floor() as i64;
    let mut month_start = new_moon_day(k + 1, tz);
    if month_start > day_number {
        month_start = new_moon_day(k, tz);
    }
    // The first estimate of k can be one lunation too high (the published
    // algorithm then answers day 0, e.g. on 2054-05-07): step back.
    while month_start > day_number {
        k -= 1;
        month_start = new_moon_day(k, tz);
    }
    let yy = date.year();
    let mut a11 = lunar_month_11(yy, tz);
    let mut b11 = a11;
    let mut lunar_year;
    if a11 >= month_start {
        lunar_year = yy;
        a11 = lunar_month_11(yy - 1, tz);
    } else {
        lunar_year = yy + 1;
        b11 = lunar_month_11(yy + 1, tz);
    }
    let lunar_day = (day_number - month_start + 1) as u32;
    let diff = ((month_start - a11) as f64 / 29.0).floor() as i64;
    let mut leap = false;
    let mut lunar_month = diff + 11;
    if b11 - a11 > 365 {
        let leap_diff = leap_month_offset(a11, tz);
        if diff >= leap_diff {
            lunar_month = diff + 10;
            leap = diff == leap_diff;
        }
    }
    if lunar_month > 12 {
        lunar_month -= 12;
    }
    if lunar_month >= 11 && diff < 4 {
        lunar_year -= 1;
    }
    LunarDate {
        day: lunar_day,
        month: lunar_month as u32,
        year: lunar_year,
        leap,
    }
}

/// The solar date of a lunar date in `tz`; `None` when that month is not a
/// leap month that year, or the date is out of range.
pub fn lunar_to_solar_tz(lunar: LunarDate, tz: f64) -> Option<NaiveDate> {
    let (a11, b11) = if lunar.month < 11 {
        (
            lunar_month_11(lunar.year - 1, tz),
            lunar_month_11(lunar.year, tz),
        )
    } else {
        (
            lunar_month_11(lunar.year, tz),
            lunar_month_11(lunar.year + 1, tz),
        )
    };
    let k = (0.5 + (a11 as f64 - 2_415_021.076_998_695) / 29.530_588_853).floor() as i64;
    let mut off = i64::from(lunar.month) - 11;
    if off < 0 {
        off += 12;
    }
    if b11 - a11 > 365 {
        let leap_off = leap_month_offset(a11, tz);
        let mut leap_month = leap_off - 2;
        if leap_month < 0 {
            leap_month += 12;
        }
        if lunar.leap && i64::from(lunar.month) != leap_month {
            return None;
        }
        if lunar.leap || off >= leap_off {
            off += 1;
        }
    } else if lunar.leap {
        return None;
    }
    from_jdn(new_moon_day(k + off, tz) + i64::from(lunar.day) - 1)
}

/// The lunar date of a solar date in Vietnam.
pub fn solar_to_lunar(date: NaiveDate) -> LunarDate {
    solar_to_lunar_tz(date, VIETNAM_TZ)
}

/// The solar date of a (non-leap) lunar day and month of lunar year `year`, in Vietnam.
pub fn lunar_to_solar(day: u32, month: u32, year: i32) -> Option<NaiveDate> {
    lunar_to_solar_tz(
        LunarDate {
            day,
            month,
            year,
            leap: false,
        },
        VIETNAM_TZ,
    )
}

/// Tết Nguyên đán: the first day of the first lunar month of `year`.
pub fn tet(year: i32) -> Option<NaiveDate> {
    lunar_to_solar(1, 1, year)
}

/// Giỗ Tổ Hùng Vương: the 10th day of the 3rd lunar month of `year`.
pub fn hung_kings_day(year: i32) -> Option<NaiveDate> {
    lunar_to_solar(10, 3, year)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn tet_and_hung_kings_day_2015_to_2030() {
        // Dates used in the official holiday notices 2015-2026 and Hồ Ngọc Đức's tables.
        let expected = [
            (2015, "2015-02-19", "2015-04-28"),
            (2016, "2016-02-08", "2016-04-16"),
            (2017, "2017-01-28", "2017-04-06"),
            (2018, "2018-02-16", "2018-04-25"),
            (2019, "2019-02-05", "2019-04-14"),
            (2020, "2020-01-25", "2020-04-02"),
            (2021, "2021-02-12", "2021-04-21"),
            (2022, "2022-02-01", "2022-04-10"),
            (2023, "2023-01-22", "2023-04-29"),
            (2024, "2024-02-10", "2024-04-18"),
            (2025, "2025-01-29", "2025-04-07"),
            (2026, "2026-02-17", "2026-04-26"),
            (2027, "2027-02-06", "2027-04-16"),
            (2028, "2028-01-26", "2028-04-04"),
            (2029, "2029-02-13", "2029-04-23"),
            (2030, "2030-02-02", "2030-04-12"),
        ];
        for (year, tet_day, hung) in expected {
            assert_eq!(tet(year), Some(d(tet_day)), "Tết {year}");
            assert_eq!(hung_kings_day(year), Some(d(hung)), "Giỗ Tổ {year}");
        }
    }

    #[test]
    fn vietnamese_calendar_differs_from_the_chinese_one() {
        // (year, Vietnam UTC+7, China UTC+8)
        for (year, vn, cn) in [
            (1968, "1968-01-29", "1968-01-30"),
            (1969, "1969-02-16", "1969-02-17"),
            (1985, "1985-01-21", "1985-02-20"),
            (2007, "2007-02-17", "2007-02-18"),
            (2030, "2030-02-02", "2030-02-03"),
            (2053, "2053-02-18", "2053-02-19"),
        ] {
            assert_eq!(tet(year), Some(d(vn)), "Vietnamese Tết {year}");
            let chinese = lunar_to_solar_tz(
                LunarDate {
                    day: 1,
                    month: 1,
                    year,
                    leap: false,
                },
                8.0,
            );
            assert_eq!(chinese, Some(d(cn)), "Chinese New Year {year}");
        }
        for (year, vn, cn) in [
            (2009, "2009-04-04", "2009-04-05"),
            (2037, "2037-04-24", "2037-04-25"),
        ] {
            assert_eq!(hung_kings_day(year), Some(d(vn)));
            let chinese = lunar_to_solar_tz(
                LunarDate {
                    day: 10,
                    month: 3,
                    year,
                    leap: false,
                },
                8.0,
            );
            assert_eq!(chinese, Some(d(cn)));
        }
    }

    #[test]
    fn solar_to_lunar_handles_leap_months_and_month_ends() {
        let ld = |day, month, year, leap| LunarDate {
            day,
            month,
            year,
            leap,
        };
        assert_eq!(solar_to_lunar(d("2023-03-21")), ld(30, 2, 2023, false));
        assert_eq!(solar_to_lunar(d("2023-03-22")), ld(1, 2, 2023, true));
        assert_eq!(solar_to_lunar(d("2025-08-19")), ld(26, 6, 2025, true));
        assert_eq!(solar_to_lunar(d("2026-02-16")), ld(29, 12, 2025, false));
        assert_eq!(solar_to_lunar(d("2026-02-17")), ld(1, 1, 2026, false));
        // The published algorithm answers "day 0" on these two dates.
        assert_eq!(solar_to_lunar(d("2054-05-07")), ld(30, 3, 2054, false));
        assert_eq!(solar_to_lunar(d("2062-04-09")), ld(30, 2, 2062, false));
        // A leap month that does not exist that year.
        assert_eq!(lunar_to_solar_tz(ld(1, 5, 2026, true), VIETNAM_TZ), None);
    }

    #[test]
    fn conversions_round_trip_over_two_centuries() {
        let mut day = d("1950-01-01");
        let end = d("2100-12-31");
        while day <= end {
            let lunar = solar_to_lunar(day);
            assert!((1..=30).contains(&lunar.day), "{day}: {lunar:?}");
            assert_eq!(
                lunar_to_solar_tz(lunar, VIETNAM_TZ),
                Some(day),
                "{day}: {lunar:?}"
            );
            day += chrono::Duration::days(3);
        }
    }
}
