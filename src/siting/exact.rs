//! The MILP formulations, solved through good_lp: microlp (pure Rust, always built) or HiGHS
//! (cargo feature `highs`).
//!
//! * LSCP: `min Σ c_j y_j` s.t. `Σ_{j reaches i} y_j >= 1` for every row.
//! * MCLP / p-median (the assignment engine): `min Σ c_ij x_ij + Σ F_i u_i` s.t.
//!   `Σ_j x_ij + u_i = 1`, `x_ij <= y_j`, `Σ y_j = k`. When every cost is 0 (MCLP) the compact
//!   form `u_i + Σ_j y_j >= 1`, `min Σ F_i u_i` is used instead.
//! * Capacitated MCLP: `max Σ w_i x_ij` s.t. `Σ_j x_ij <= 1`, `Σ_i w_i x_ij <= Q_j y_j`,
//!   `x_ij <= y_j`, `Σ y_j = k` (`x` fractional, `y` binary).

use std::time::Duration;

use good_lp::{
    variable, Constraint, Expression, ProblemVariables, Solution, SolutionStatus, SolverModel,
    Variable, WithInitialSolution, WithTimeLimit,
};

use super::assign::{AssignData, State};
use super::capacitated::CapData;
use super::cover::CoverData;

/// Which MILP solver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Backend {
    Microlp,
    Highs,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Microlp => "exact (good_lp + microlp)",
            Backend::Highs => "exact (good_lp + HiGHS)",
        }
    }
}

/// A solved MILP: the chosen candidates and whether optimality was proven.
pub(crate) struct MilpResult {
    pub sites: Vec<u32>,
    pub optimal: bool,
    /// The solver's dual bound on the MILP's objective (HiGHS's `mip_dual_bound`; the objective
    /// itself when optimal; `None` from microlp, which reports none).
    pub bound: Option<f64>,
}

struct Milp {
    vars: ProblemVariables,
    y: Vec<Variable>,
    objective: Expression,
    maximise: bool,
    constraints: Vec<Constraint>,
    initial: Vec<(Variable, f64)>,
    warm: bool,
}

fn run(milp: Milp, backend: Backend, time_limit: Option<Duration>) -> Result<MilpResult, String> {
    let Milp {
        vars,
        y,
        objective,
        maximise,
        constraints,
        initial,
        warm,
    } = milp;
    // A cold start passes no hint at all.
    let initial = if warm { initial } else { Vec::new() };
    // HiGHS is driven directly (for its dual bound), so it needs each variable's column: the
    // variables' order (good_lp keeps its own index private).
    #[cfg(feature = "highs")]
    let column: std::collections::HashMap<Variable, usize> = if backend == Backend::Highs {
        vars.iter_variables_with_def()
            .enumerate()
            .map(|(i, (v, _))| (v, i))
            .collect()
    } else {
        Default::default()
    };
    let unsolved = if maximise {
        vars.maximise(objective)
    } else {
        vars.minimise(objective)
    };
    let read = |status: SolutionStatus, value: &dyn Fn(Variable) -> f64| MilpResult {
        sites: y
            .iter()
            .enumerate()
            .filter(|&(_, &v)| value(v) > 0.5)
            .map(|(j, _)| j as u32)
            .collect(),
        optimal: matches!(status, SolutionStatus::Optimal),
        bound: None,
    };
    match backend {
        Backend::Microlp => {
            let mut model = unsolved.using(good_lp::microlp);
            if !initial.is_empty() {
                model = model.with_initial_solution(initial);
            }
            if let Some(t) = time_limit {
                model = model.with_time_limit(t.as_secs_f64());
            }
            let sol = model
                .with_all(constraints)
                .solve()
                .map_err(|e| e.to_string())?;
            Ok(read(sol.status(), &|v| sol.value(v)))
        }
        Backend::Highs => {
            #[cfg(feature = "highs")]
            {
                highs_solve(
                    unsolved.using(good_lp::highs).with_all(constraints),
                    &y,
                    &initial,
                    &column,
                    time_limit,
                )
            }
            #[cfg(not(feature = "highs"))]
            {
                let _ = (unsolved, constraints, initial, read);
                Err(
                    "this build has no HiGHS: rebuild with `cargo build --features highs` \
                     (needs cmake and a C++ compiler), or use the microlp exact method"
                        .to_string(),
                )
            }
        }
    }
}

/// Solves through HiGHS directly (good_lp builds the model) so that HiGHS's dual bound can be
/// read back: good_lp's own `solve` passes on the primal solution only, and a MILP stopped by
/// its time limit has a bound worth printing beside carecircle's.
#[cfg(feature = "highs")]
fn highs_solve(
    problem: good_lp::solvers::highs::HighsProblem,
    y: &[Variable],
    initial: &[(Variable, f64)],
    column: &std::collections::HashMap<Variable, usize>,
    time_limit: Option<Duration>,
) -> Result<MilpResult, String> {
    use highs::{HighsModelStatus, HighsSolutionStatus};
    let mut model = problem.try_into_inner().map_err(|e| e.to_string())?;
    model.make_quiet();
    // HiGHS's own log, for measurements only.
    if std::env::var_os("CARECIRCLE_HIGHS_LOG").is_some() {
        model.set_option("output_flag", true);
        model.set_option("log_to_console", true);
    }
    if let Some(t) = time_limit {
        model.set_option("time_limit", t.as_secs_f64());
    }
    if !initial.is_empty() {
        let mut start = vec![0.0; model.num_cols()];
        for &(v, x) in initial {
            start[column[&v]] = x;
        }
        model.set_solution(Some(&start), None, None, None);
    }
    let solved = model
        .try_solve()
        .map_err(|e| format!("HiGHS error while solving: {e:?}"))?;
    // HiGHS calls a MIP "optimal" within its relative gap tolerance (1e-4 by default): only a
    // gap of 0 is a proof here.
    let gap = solved.mip_gap();
    let optimal = match solved.status() {
        HighsModelStatus::Optimal => !(gap.is_finite() && gap > 0.0),
        HighsModelStatus::ReachedTimeLimit
        | HighsModelStatus::ReachedSolutionLimit
        | HighsModelStatus::ReachedInterrupt
        | HighsModelStatus::ReachedIterationLimit
        | HighsModelStatus::ReachedMemoryLimit
        | HighsModelStatus::ObjectiveBound
        | HighsModelStatus::ObjectiveTarget => false,
        HighsModelStatus::Infeasible | HighsModelStatus::UnboundedOrInfeasible => {
            return Err("HiGHS: the model is infeasible".into())
        }
        other => return Err(format!("HiGHS stopped without an answer ({other:?})")),
    };
    let dual_bound = solved.double_info_value(c"mip_dual_bound").ok();
    if solved.primal_solution_status() != HighsSolutionStatus::Feasible {
        return Err(match dual_bound {
            Some(b) if b.is_finite() => {
                format!("HiGHS found no feasible solution before its limit (dual bound {b})")
            }
            _ => "HiGHS found no feasible solution before its limit".into(),
        });
    }
    let solution = solved.get_solution();
    let columns = solution.columns();
    let sites = y
        .iter()
        .enumerate()
        .filter(|&(_, v)| columns[column[v]] > 0.5)
        .map(|(j, _)| j as u32)
        .collect();
    let bound = if optimal {
        Some(solved.objective_value())
    } else {
        dual_bound.filter(|b| b.is_finite())
    };
    Ok(MilpResult {
        sites,
        optimal,
        bound,
    })
}

fn binaries(
    vars: &mut ProblemVariables,
    n: usize,
    start: &[u32],
) -> (Vec<Variable>, Vec<(Variable, f64)>) {
    let y: Vec<Variable> = (0..n).map(|_| vars.add(variable().binary())).collect();
    let mut init: Vec<(Variable, f64)> = y.iter().map(|&v| (v, 0.0)).collect();
    for &j in start {
        init[j as usize].1 = 1.0;
    }
    (y, init)
}

pub(crate) fn solve_cover(
    data: &CoverData,
    start: &[u32],
    backend: Backend,
    time_limit: Option<Duration>,
    warm: bool,
) -> Result<MilpResult, String> {
    let mut vars = ProblemVariables::new();
    let (y, initial) = binaries(&mut vars, data.n_cand, start);
    let mut objective = Expression::with_capacity(data.n_cand);
    for (j, &v) in y.iter().enumerate() {
        objective.add_mul(data.cost[j], v);
    }
    let constraints = (0..data.n_rows())
        .map(|r| {
            let mut e = Expression::with_capacity(data.r_off[r + 1] - data.r_off[r]);
            for &j in &data.r_cand[data.r_off[r]..data.r_off[r + 1]] {
                e.add_mul(1.0, y[j as usize]);
            }
            e.geq(1.0)
        })
        .collect();
    run(
        Milp {
            vars,
            y,
            objective,
            maximise: false,
            constraints,
            initial,
            warm,
        },
        backend,
        time_limit,
    )
}

pub(crate) fn solve_assign(
    data: &AssignData,
    start: &[u32],
    backend: Backend,
    time_limit: Option<Duration>,
    warm: bool,
) -> Result<MilpResult, String> {
    let mut vars = ProblemVariables::new();
    let (y, mut initial) = binaries(&mut vars, data.n_cand, start);
    let state = State::new(data, start);
    let mut objective = Expression::with_capacity(data.d_cand.len() + data.n_dem);
    let mut constraints = Vec::new();
    let mut card = Expression::with_capacity(data.n_cand);
    for &v in &y {
        card.add_mul(1.0, v);
    }
    constraints.push(card.eq(data.k as f64));
    let compact = data.d_cost.iter().all(|&c| c == 0.0);
    // Demands no candidate serves pay their fallback whatever is open: a constant the model
    // leaves out and the bound puts back (the caller's value counts it).
    let mut constant = 0.0;
    for i in 0..data.n_dem {
        let row = data.d_off[i]..data.d_off[i + 1];
        if row.is_empty() {
            constant += data.fallback[i];
            continue;
        }
        let u = vars.add(variable().min(0.0).max(1.0));
        objective.add_mul(data.fallback[i], u);
        initial.push((u, if state.f1[i] == u32::MAX { 1.0 } else { 0.0 }));
        let mut sum = Expression::with_capacity(row.len() + 1);
        sum.add_mul(1.0, u);
        for e in row {
            let j = data.d_cand[e];
            if compact {
                sum.add_mul(1.0, y[j as usize]);
            } else {
                let x = vars.add(variable().min(0.0).max(1.0));
                objective.add_mul(data.d_cost[e], x);
                initial.push((x, if state.f1[i] == j { 1.0 } else { 0.0 }));
                sum.add_mul(1.0, x);
                constraints.push((Expression::from(x) - y[j as usize]).leq(0.0));
            }
        }
        constraints.push(if compact { sum.geq(1.0) } else { sum.eq(1.0) });
    }
    let mut res = run(
        Milp {
            vars,
            y,
            objective,
            maximise: false,
            constraints,
            initial,
            warm,
        },
        backend,
        time_limit,
    )?;
    res.bound = res.bound.map(|b| b + constant);
    Ok(res)
}

pub(crate) fn solve_capacitated(
    data: &mut CapData,
    start: &[u32],
    backend: Backend,
    time_limit: Option<Duration>,
    warm: bool,
) -> Result<MilpResult, String> {
    let mut vars = ProblemVariables::new();
    let (y, mut initial) = binaries(&mut vars, data.n_cand, start);
    data.served_set(start);
    let flows: std::collections::HashMap<(usize, usize), f64> = data
        .net
        .assignment()
        .into_iter()
        .map(|(d, s, f)| ((d, s), f))
        .collect();
    let mut objective = Expression::default();
    let mut constraints = Vec::new();
    let mut card = Expression::with_capacity(data.n_cand);
    for &v in &y {
        card.add_mul(1.0, v);
    }
    constraints.push(card.eq(data.k as f64));
    let n_dem = data.weights.len();
    let mut per_demand: Vec<Expression> = vec![Expression::default(); n_dem];
    let mut used = vec![false; n_dem];
    let n_sites = data.n_existing + data.n_cand;
    for s in 0..n_sites {
        let mut load = Expression::default();
        for &i in &data.site_rows[s] {
            let i = i as usize;
            let w = data.weights[i];
            let x = vars.add(variable().min(0.0).max(1.0));
            let f = flows.get(&(i, s)).map_or(0.0, |f| f / w);
            initial.push((x, f));
            objective.add_mul(w, x);
            per_demand[i].add_mul(1.0, x);
            used[i] = true;
            load.add_mul(w, x);
            if s >= data.n_existing {
                constraints.push((Expression::from(x) - y[s - data.n_existing]).leq(0.0));
            }
        }
        let cap = data.capacity[s];
        if cap.is_finite() && !data.site_rows[s].is_empty() {
            if s >= data.n_existing {
                load.add_mul(-cap, y[s - data.n_existing]);
                constraints.push(load.leq(0.0));
            } else {
                constraints.push(load.leq(cap));
            }
        }
    }
    for (i, e) in per_demand.into_iter().enumerate() {
        if used[i] {
            constraints.push(e.leq(1.0));
        }
    }
    run(
        Milp {
            vars,
            y,
            objective,
            maximise: true,
            constraints,
            initial,
            warm,
        },
        backend,
        time_limit,
    )
}
