//! 2SFCA and E2SFCA on a hand-computed example: three facilities, five communities, two bands.
//!
//! Supplies S: F1 = 10, F2 = 20, F3 = 5 places. Elderly P: C1 = 100, C2 = 200, C3 = 50,
//! C4 = 150, C5 = 80. Minutes (catchment 15 min):
//!
//! | | F1 | F2 | F3 |
//! |---|---:|---:|---:|
//! | C1 | 4 | 12 | |
//! | C2 | 8 | | 14 |
//! | C3 | | 6 | |
//! | C4 | | 11 | 3 |
//! | C5 | 16 (outside) | | |

use carecircle::access::{two_step, Band, Decay};
use carecircle::reach_table::ReachTable;

const SUPPLY: [f64; 3] = [10.0, 20.0, 5.0];
const ELDERLY: [f64; 5] = [100.0, 200.0, 50.0, 150.0, 80.0];

fn table() -> ReachTable {
    // Built with a 20-minute limit so the 16-minute pair is in the table: the catchment, not
    // the table, must keep it out.
    ReachTable::from_triplets(
        5,
        3,
        20.0,
        vec![
            (0, 0, 4.0),
            (0, 1, 12.0),
            (1, 0, 8.0),
            (1, 2, 14.0),
            (2, 1, 6.0),
            (3, 1, 11.0),
            (3, 2, 3.0),
            (4, 0, 16.0),
        ],
    )
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * b.abs().max(1.0)
}

fn assert_all(got: &[f64], want: &[f64]) {
    assert_eq!(got.len(), want.len());
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(close(*g, *w), "value {i}: got {g}, want {w}");
    }
}

#[test]
fn classic_2sfca_by_hand() {
    let a = two_step(&ELDERLY, &SUPPLY, &table(), &Decay::Uniform, 15.0);
    // Step 1: F1 reaches C1 + C2 = 300 elderly, R1 = 10/300 = 1/30;
    // F2 reaches C1 + C3 + C4 = 300, R2 = 20/300 = 1/15; F3 reaches C2 + C4 = 350, R3 = 5/350.
    assert_all(&a.weighted_demand, &[300.0, 300.0, 350.0]);
    let ratio: Vec<f64> = a.ratio.iter().map(|r| r.unwrap()).collect();
    assert_all(&ratio, &[1.0 / 30.0, 1.0 / 15.0, 1.0 / 70.0]);
    // Step 2: A1 = R1 + R2 = 0.1; A2 = R1 + R3 = 10/210; A3 = R2 = 1/15;
    // A4 = R2 + R3 = 17/210; A5 = 0 (F1 is 16 min away, outside the catchment).
    assert_all(
        &a.access,
        &[0.1, 10.0 / 210.0, 1.0 / 15.0, 17.0 / 210.0, 0.0],
    );
    // The supply is shared out: Σ P_i A_i = 10 + 200/21 + 50/15 + 150·17/210 = 35 = Σ S_j.
    let shared: f64 = ELDERLY.iter().zip(&a.access).map(|(p, a)| p * a).sum();
    assert!(close(shared, 35.0), "{shared}");
    // Crowdedness (inverted 2SFCA): each community's elderly split by the supply it sees.
    // C1 sees 10 + 20 = 30, C2 10 + 5 = 15, C3 20, C4 20 + 5 = 25.
    // F1: 100·10/30 / 10 + 200·10/15 / 10 = 100/30 + 200/15 = 50/3;
    // F2: 100/30 + 50/20 + 150/25 = 71/6; F3: 200/15 + 150/25 = 58/3.
    let crowd: Vec<f64> = a.crowdedness.iter().map(|c| c.unwrap()).collect();
    assert_all(&crowd, &[50.0 / 3.0, 71.0 / 6.0, 58.0 / 3.0]);
    // Σ S_j C_j = the 500 elderly of C1–C4 who reach some facility (C5 reaches none).
    let expected: f64 = SUPPLY.iter().zip(&crowd).map(|(s, c)| s * c).sum();
    assert!(close(expected, 500.0), "{expected}");
}

#[test]
fn enhanced_2sfca_with_two_bands_by_hand() {
    // Bands: up to 10 min weight 1, up to 15 min weight 0.5.
    let decay = Decay::Bands(vec![
        Band {
            upper_min: 10.0,
            weight: 1.0,
        },
        Band {
            upper_min: 15.0,
            weight: 0.5,
        },
    ]);
    let a = two_step(&ELDERLY, &SUPPLY, &table(), &decay, 15.0);
    // F1: C1 at 4 (w 1) 100 + C2 at 8 (w 1) 200 = 300, R1 = 1/30.
    // F2: C1 at 12 (w 0.5) 50 + C3 at 6 (w 1) 50 + C4 at 11 (w 0.5) 75 = 175, R2 = 20/175 = 4/35.
    // F3: C2 at 14 (w 0.5) 100 + C4 at 3 (w 1) 150 = 250, R3 = 5/250 = 1/50.
    assert_all(&a.weighted_demand, &[300.0, 175.0, 250.0]);
    let ratio: Vec<f64> = a.ratio.iter().map(|r| r.unwrap()).collect();
    assert_all(&ratio, &[1.0 / 30.0, 4.0 / 35.0, 1.0 / 50.0]);
    // A1 = R1 + 0.5 R2 = 1/30 + 2/35 = 19/210; A2 = R1 + 0.5 R3 = 13/300;
    // A3 = R2 = 4/35; A4 = 0.5 R2 + R3 = 27/350; A5 = 0.
    assert_all(
        &a.access,
        &[19.0 / 210.0, 13.0 / 300.0, 4.0 / 35.0, 27.0 / 350.0, 0.0],
    );
    let shared: f64 = ELDERLY.iter().zip(&a.access).map(|(p, a)| p * a).sum();
    assert!(close(shared, 35.0), "{shared}");
}

#[test]
fn a_facility_nobody_reaches_has_no_ratio() {
    let t = ReachTable::from_triplets(2, 2, 15.0, vec![(0, 0, 5.0), (1, 0, 7.0)]);
    let a = two_step(&[10.0, 30.0], &[4.0, 9.0], &t, &Decay::Uniform, 15.0);
    assert_eq!(a.ratio, vec![Some(0.1), None]);
    assert_eq!(a.crowdedness[1], None);
    assert_eq!(a.access, vec![0.1, 0.1]);
}
