//! Charts drawn on the server as SVG: no JavaScript, sharp in print, read by
//! screen readers through their title and a table of the same figures.

use std::fmt::Write as _;

/// One bar: its label, its value and the text shown above it.
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub text: String,
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A vertical bar chart `width` × `height` pixels; `max` fixes the scale
/// (1.0 for rates), or the largest value when `None`.
pub fn bars(title: &str, bars: &[Bar], max: Option<f64>, width: u32, height: u32) -> String {
    let top = 24.0;
    let bottom = 44.0;
    let left = 8.0;
    let plot_h = height as f64 - top - bottom;
    let n = bars.len().max(1) as f64;
    let slot = (width as f64 - 2.0 * left) / n;
    let bar_w = (slot * 0.6).max(4.0);
    let max = max
        .unwrap_or_else(|| bars.iter().map(|b| b.value).fold(0.0, f64::max))
        .max(f64::EPSILON);
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" \
         width=\"100%\" role=\"img\" aria-label=\"{t}\"><title>{t}</title>",
        t = escape(title)
    );
    let base = top + plot_h;
    let _ = write!(
        s,
        "<line x1=\"{left}\" y1=\"{base}\" x2=\"{x2}\" y2=\"{base}\" stroke=\"#505a5f\" stroke-width=\"1\"/>",
        x2 = width as f64 - left
    );
    for (i, b) in bars.iter().enumerate() {
        let h = (b.value / max).clamp(0.0, 1.0) * plot_h;
        let x = left + slot * i as f64 + (slot - bar_w) / 2.0;
        let y = base - h;
        let cx = x + bar_w / 2.0;
        let _ = write!(
            s,
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bar_w:.1}\" height=\"{h:.1}\" fill=\"#1d70b8\"/>\
             <text x=\"{cx:.1}\" y=\"{ty:.1}\" text-anchor=\"middle\" font-size=\"11\" fill=\"#0b0c0c\">{v}</text>\
             <text x=\"{cx:.1}\" y=\"{ly:.1}\" text-anchor=\"middle\" font-size=\"11\" fill=\"#0b0c0c\">{l}</text>",
            ty = (y - 4.0).max(10.0),
            ly = base + 16.0,
            v = escape(&b.text),
            l = escape(&b.label),
        );
    }
    s.push_str("</svg>");
    s
}

/// A horizontal bar chart, one row per item (long labels such as office names).
pub fn rows(title: &str, bars: &[Bar], width: u32) -> String {
    let row_h = 26.0;
    let label_w = width as f64 * 0.45;
    let height = (bars.len().max(1) as f64 * row_h + 8.0).ceil();
    let max = bars
        .iter()
        .map(|b| b.value)
        .fold(0.0, f64::max)
        .max(f64::EPSILON);
    let plot_w = width as f64 - label_w - 60.0;
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" \
         width=\"100%\" role=\"img\" aria-label=\"{t}\"><title>{t}</title>",
        t = escape(title)
    );
    for (i, b) in bars.iter().enumerate() {
        let y = 4.0 + i as f64 * row_h;
        let w = (b.value / max).clamp(0.0, 1.0) * plot_w;
        let _ = write!(
            s,
            "<text x=\"{lx:.1}\" y=\"{ty:.1}\" text-anchor=\"end\" font-size=\"12\" fill=\"#0b0c0c\">{l}</text>\
             <rect x=\"{bx:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{bh:.1}\" fill=\"#d4351c\"/>\
             <text x=\"{vx:.1}\" y=\"{ty:.1}\" font-size=\"12\" fill=\"#0b0c0c\">{v}</text>",
            lx = label_w - 6.0,
            ty = y + 15.0,
            bx = label_w,
            bh = row_h - 8.0,
            vx = label_w + w + 4.0,
            l = escape(&b.label),
            v = escape(&b.text),
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(label: &str, value: f64) -> Bar {
        Bar {
            label: label.into(),
            value,
            text: format!("{value}"),
        }
    }

    #[test]
    fn bars_scale_to_the_largest_value_and_escape_labels() {
        let svg = bars(
            "Tỷ lệ <đúng hạn>",
            &[bar("T1", 2.0), bar("T2", 4.0)],
            None,
            200,
            144,
        );
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("aria-label=\"Tỷ lệ &lt;đúng hạn&gt;\""));
        // The plot is 144 - 24 - 44 = 76 high: the larger bar fills it, the other half.
        assert!(svg.contains("height=\"76.0\""));
        assert!(svg.contains("height=\"38.0\""));
        assert_eq!(svg.matches("<rect").count(), 2);
    }

    #[test]
    fn empty_charts_still_render() {
        assert!(bars("x", &[], Some(1.0), 100, 100).ends_with("</svg>"));
        let r = rows("Quá hạn theo đơn vị", &[bar("Chi cục & Cục", 3.0)], 400);
        assert!(r.contains("Chi cục &amp; Cục"));
    }
}
