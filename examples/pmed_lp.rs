//! The LP relaxation of an OR-Library p-median instance by clarabel's interior point, with the
//! assignment variables restricted to each vertex's `K` nearest sites (an upper estimate of the
//! LP), and the Lagrangian bound at the LP's assignment duals on the full matrix (a valid lower
//! bound): when the two meet, that is the LP value. `cargo run --release --example pmed_lp --
//! 36 200`.

use std::path::PathBuf;
use std::time::Instant;

use clarabel::algebra::CscMatrix;
use clarabel::solver::{DefaultSettingsBuilder, DefaultSolver, IPSolver, SupportedConeT};

use carecircle::siting::orlib::read_pmed;

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let k = args.first().copied().unwrap_or(36);
    let near = args.get(1).copied().unwrap_or(200);
    let dir = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/data/orlib-pmed"
    ));
    let inst = read_pmed(dir.join(format!("pmed{k}.txt"))).expect("instance");
    let n = inst.n;
    let p = inst.p;
    let d = |i: usize, j: usize| inst.dist[i * n + j] as f64;
    // Assignment variables: (i, j) for the `near` nearest j of each i.
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    for i in 0..n {
        let mut js: Vec<usize> = (0..n).collect();
        js.sort_by(|&a, &b| d(i, a).total_cmp(&d(i, b)).then(a.cmp(&b)));
        pairs.extend(js.into_iter().take(near.min(n)).map(|j| (i, j)));
    }
    let nx = pairs.len();
    let nv = nx + n;
    // Rows: 0..n  Σ_j x_ij = 1; n  Σ y = p (zero cone);
    // then nonnegative cone: x_ij − y_j ≤ 0 (nx rows), −x ≤ 0 (nx), −y ≤ 0 (n), y ≤ 1 (n).
    let r_link = n + 1;
    let r_xnn = r_link + nx;
    let r_ynn = r_xnn + nx;
    let r_yub = r_ynn + n;
    let n_rows = r_yub + n;
    let mut cols: Vec<Vec<(usize, f64)>> = vec![Vec::new(); nv];
    for (e, &(i, _)) in pairs.iter().enumerate() {
        cols[e].push((i, 1.0));
        cols[e].push((r_link + e, 1.0));
        cols[e].push((r_xnn + e, -1.0));
    }
    for (e, &(_, j)) in pairs.iter().enumerate() {
        cols[nx + j].push((r_link + e, -1.0));
    }
    for j in 0..n {
        let c = &mut cols[nx + j];
        c.push((n, 1.0));
        c.push((r_ynn + j, -1.0));
        c.push((r_yub + j, 1.0));
        c.sort_by_key(|x| x.0);
    }
    let mut colptr = vec![0usize];
    let mut rowval = Vec::new();
    let mut nzval = Vec::new();
    for c in &cols {
        for &(r, v) in c {
            rowval.push(r);
            nzval.push(v);
        }
        colptr.push(rowval.len());
    }
    let a = CscMatrix::new(n_rows, nv, colptr, rowval, nzval);
    let pm = CscMatrix::<f64>::zeros((nv, nv));
    let mut c = vec![0.0; nv];
    for (e, &(i, j)) in pairs.iter().enumerate() {
        c[e] = d(i, j);
    }
    let mut b = vec![0.0; n_rows];
    b[..n].iter_mut().for_each(|x| *x = 1.0);
    b[n] = p as f64;
    b[r_yub..].iter_mut().for_each(|x| *x = 1.0);
    let cones = [
        SupportedConeT::ZeroConeT(n + 1),
        SupportedConeT::NonnegativeConeT(n_rows - n - 1),
    ];
    let settings = DefaultSettingsBuilder::default()
        .verbose(true)
        .max_threads(1)
        .tol_gap_rel(1e-9)
        .tol_gap_abs(1e-9)
        .build()
        .unwrap();
    let t = Instant::now();
    let mut solver = DefaultSolver::new(&pm, &c, &a, &b, &cones, settings).unwrap();
    solver.solve();
    let s = &solver.solution;
    println!(
        "pmed{k} n={n} p={p} near={near}: LP (restricted) {:.4} status {:?} in {:.1}s",
        s.obj_val,
        s.status,
        t.elapsed().as_secs_f64()
    );
    // Lagrangian at λ_i = −z_i on the full matrix.
    let lambda: Vec<f64> = (0..n).map(|i| -s.z[i]).collect();
    let mut rho = vec![0.0; n];
    for (i, &l) in lambda.iter().enumerate() {
        for (j, r) in rho.iter_mut().enumerate() {
            *r += (d(i, j) - l).min(0.0);
        }
    }
    rho.sort_by(f64::total_cmp);
    let lag: f64 = lambda.iter().sum::<f64>() + rho[..p].iter().sum::<f64>();
    println!("Lagrangian at the LP duals (valid bound): {lag:.4}");
    let y = &s.x[nx..];
    let frac = y.iter().filter(|&&v| v > 1e-4 && v < 1.0 - 1e-4).count();
    println!("fractional y: {frac} of {n}");
}
