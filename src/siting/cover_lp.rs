//! The LP relaxation of a set-cover component by clarabel's interior point; its dual values
//! turned into a rigorous bound through the Lagrangian formula.
use clarabel::algebra::CscMatrix;
use clarabel::solver::{
    DefaultSettingsBuilder, DefaultSolver, IPSolver, SolverStatus, SupportedConeT,
};

use std::time::Instant;

use super::cover::CoverData;

pub(crate) struct LpResult {
    /// Row duals (≥ 0): valid multipliers for the Lagrangian bound whatever the solver's
    /// status.
    pub u: Vec<f64>,
    /// The LP optimum when the interior point converged, NaN otherwise.
    pub primal: f64,
    pub iterations: u32,
}

pub(crate) fn solve(data: &CoverData, deadline: Option<Instant>) -> Result<LpResult, String> {
    let n = data.n_cand;
    let m = data.n_rows();
    // Constraints A x + s = b, s ≥ 0: rows 0..m: −Σ x ≤ −1; rows m..m+n: −x_j ≤ 0.
    let mut colptr = Vec::with_capacity(n + 1);
    let mut rowval = Vec::with_capacity(data.c_row.len() + n);
    let mut nzval = Vec::with_capacity(data.c_row.len() + n);
    colptr.push(0);
    for j in 0..n {
        for &r in data.rows_of(j) {
            rowval.push(r as usize);
            nzval.push(-1.0);
        }
        rowval.push(m + j);
        nzval.push(-1.0);
        colptr.push(rowval.len());
    }
    let a = CscMatrix::new(m + n, n, colptr, rowval, nzval);
    let p = CscMatrix::<f64>::zeros((n, n));
    let mut b = vec![-1.0; m];
    b.extend(std::iter::repeat_n(0.0, n));
    let cones = [SupportedConeT::NonnegativeConeT(m + n)];
    let settings = DefaultSettingsBuilder::default()
        .verbose(false)
        .max_threads(1)
        .tol_gap_rel(1e-7)
        .tol_gap_abs(1e-7)
        .time_limit(deadline.map_or(f64::INFINITY, |d| {
            d.saturating_duration_since(Instant::now()).as_secs_f64()
        }))
        .build()
        .map_err(|e| format!("{e:?}"))?;
    let mut solver =
        DefaultSolver::new(&p, &data.cost, &a, &b, &cones, settings).map_err(|e| format!("{e}"))?;
    solver.solve();
    let s = &solver.solution;
    let solved = matches!(s.status, SolverStatus::Solved | SolverStatus::AlmostSolved);
    Ok(LpResult {
        u: s.z[..m].iter().map(|&v| v.max(0.0)).collect(),
        primal: if solved { s.obj_val } else { f64::NAN },
        iterations: s.iterations,
    })
}
