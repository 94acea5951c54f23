//! Figures printed for people (console, report.md, report.html, map legends): one rule for
//! shares, so that a printed share never contradicts a result.

/// A share (0–1) as a percentage with one decimal, rounded **down**: 4,999 of 5,000 prints
/// "99.9 %", never "100.0 %", and a share just below a target never prints as the target
/// (0.8999 of a 90 % target prints "89.9 %"). A share equal to a decimal (0.29, 0.9, 1.0)
/// prints as that decimal: the tiny allowance absorbs binary floating-point error only
/// (1e-9 of a tenth of a percent, far below any real difference in counts).
pub fn percent(share: f64) -> String {
    if !share.is_finite() {
        return "–".into();
    }
    let tenths = (share * 1000.0 + 1e-9).floor();
    format!("{:.1} %", tenths / 10.0)
}

/// A share (0–1) for machine-readable outputs (summary.json), rounded **down** to `decimals`
/// places by the same rule as [`percent`]: 49,999 of 50,000 is 0.9999, never 1.0.
pub fn share_value(share: f64, decimals: i32) -> f64 {
    if !share.is_finite() {
        return share;
    }
    let f = 10f64.powi(decimals);
    (share * f + 1e-9).floor() / f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn share_values_are_rounded_down() {
        assert_eq!(share_value(49_999.0 / 50_000.0, 4), 0.9999);
        assert_eq!(share_value(1.0, 4), 1.0);
        assert_eq!(share_value(0.9, 4), 0.9);
        assert_eq!(share_value(0.12345, 4), 0.1234);
    }

    #[test]
    fn shares_are_rounded_down_and_never_reach_a_missed_target() {
        assert_eq!(percent(4999.0 / 5000.0), "99.9 %");
        assert_eq!(percent(1.0), "100.0 %");
        assert_eq!(percent(0.0), "0.0 %");
        assert_eq!(percent(0.8999), "89.9 %");
        assert_eq!(percent(0.9), "90.0 %");
        assert_eq!(percent(29.0 / 100.0), "29.0 %");
        assert_eq!(percent(1.0 / 3.0), "33.3 %");
        assert_eq!(percent(2.0 / 3.0), "66.6 %");
        assert_eq!(percent(999_999.0 / 1_000_000.0), "99.9 %");
        assert_eq!(percent(f64::NAN), "–");
        // Every count out of 1..=2000 prints 100.0 % only when all are covered.
        for n in 1..=2000u32 {
            for k in [n - 1, n] {
                let shown = percent(k as f64 / n as f64);
                assert_eq!(shown == "100.0 %", k == n, "{k}/{n}: {shown}");
            }
        }
    }
}
