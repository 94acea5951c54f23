//! Capacitated LSCP and capacitated p-median as mixed-integer programs (good_lp: microlp, or
//! HiGHS with the `highs` feature). Assignment is fractional, as in the capacitated MCLP: a
//! community's elderly may be split between centres, `x_ij` is the share of demand `i` served
//! by site `j`, and no site serves more than its capacity `Q_j`.
//!
//! * **Capacitated LSCP**: `min Σ c_j y_j` s.t. `Σ_ij w_i x_ij >= F*`, `Σ_j x_ij <= 1`,
//!   `Σ_i w_i x_ij <= Q_j y_j`, `x_ij <= y_j`, where `F*` is the most weight that can be served
//!   within the limit with every candidate open (a maximum flow). When capacities allow, that is
//!   every coverable elderly person; otherwise as many as any plan can serve.
//! * **Capacitated p-median**: `min Σ w_i t_ij x_ij + Σ w_i U u_i` s.t. `Σ_j x_ij + u_i = 1`,
//!   `Σ_i w_i x_ij <= Q_j y_j`, `x_ij <= y_j`, `Σ y_j <= p`; `U` is the unreached minutes (as in
//!   the uncapacitated p-median).
//!
//! Existing facilities are open (`y = 1`) with their capacities. A run cut short by the time
//! limit keeps the solver's best integer answer when it has one (LSCP: otherwise every
//! candidate that serves someone), and its bound is the LP relaxation.

use std::time::Duration;

use good_lp::{
    variable, Expression, ProblemVariables, Solution, SolutionStatus, SolverModel, Variable,
    WithTimeLimit,
};

use super::capacitated::FlowNet;
use super::exact::Backend;
use super::{Flow, SitingProblem};
use crate::reach_table::ReachTable;

/// Which capacitated model.
#[derive(Debug, Clone, Copy)]
pub(crate) enum CapModel {
    /// Serve at least `served` weight with the cheapest set of new sites.
    Cover { served: f64 },
    /// At most `p` new sites, least weighted minutes, `penalty` minutes for unserved weight.
    Median { p: usize, penalty: f64 },
}

/// A solved (or relaxed) capacitated program.
#[derive(Debug, Clone)]
pub(crate) struct CapResult {
    pub chosen: Vec<u32>,
    pub objective: f64,
    pub optimal: bool,
    pub flows: Vec<Flow>,
}

/// The most weight the sites can serve within the limit with every candidate open.
pub(crate) fn max_served(pr: &SitingProblem, open: &[bool]) -> (f64, Vec<Flow>) {
    let caps = pr.capacities.as_ref().expect("validated: capacities given");
    let rows: Vec<Vec<u32>> = (0..pr.reach.n_demand)
        .map(|i| {
            if pr.weights[i] > 0.0 {
                pr.reach.row(i).map(|(s, _)| s).collect()
            } else {
                Vec::new()
            }
        })
        .collect();
    let mut net = FlowNet::new(&pr.weights, pr.reach.n_sites, &rows);
    let limits: Vec<f64> = caps
        .iter()
        .zip(open)
        .map(|(&c, &o)| if o { c.min(1e15) } else { 0.0 })
        .collect();
    let served = net.max_flow(&limits);
    let flows = net
        .assignment()
        .into_iter()
        .map(|(demand, site, weight)| Flow {
            demand,
            site,
            weight,
        })
        .collect();
    (served, flows)
}

/// Builds and solves the program; `relax` makes `y` continuous (the LP bound).
pub(crate) fn solve(
    pr: &SitingProblem,
    table: &ReachTable,
    model: CapModel,
    relax: bool,
    backend: Backend,
    time_limit: Option<Duration>,
) -> Result<CapResult, String> {
    let ne = pr.n_existing;
    let n_cand = pr.reach.n_sites - ne;
    let caps = pr.capacities.as_ref().expect("validated: capacities given");
    let cost = pr.costs.clone().unwrap_or_else(|| vec![1.0; n_cand]);
    let mut vars = ProblemVariables::new();
    let y: Vec<Variable> = (0..n_cand)
        .map(|_| {
            if relax {
                vars.add(variable().min(0.0).max(1.0))
            } else {
                vars.add(variable().binary())
            }
        })
        .collect();
    let mut objective = Expression::default();
    let mut constraints = Vec::new();
    let mut load: Vec<Expression> = vec![Expression::default(); pr.reach.n_sites];
    let mut used = vec![false; pr.reach.n_sites];
    let mut served = Expression::default();
    let mut xs: Vec<(usize, usize, Variable)> = Vec::new();
    for i in 0..table.n_demand {
        let w = pr.weights[i];
        if w <= 0.0 || table.offsets[i] == table.offsets[i + 1] {
            continue;
        }
        let mut share = Expression::default();
        for (s, m) in table.row(i) {
            let s = s as usize;
            let x = vars.add(variable().min(0.0).max(1.0));
            xs.push((i, s, x));
            share.add_mul(1.0, x);
            load[s].add_mul(w, x);
            used[s] = true;
            served.add_mul(w, x);
            if let CapModel::Median { .. } = model {
                objective.add_mul(w * m, x);
            }
            if s >= ne {
                constraints.push((Expression::from(x) - y[s - ne]).leq(0.0));
            }
        }
        match model {
            CapModel::Cover { .. } => constraints.push(share.leq(1.0)),
            CapModel::Median { penalty, .. } => {
                let u = vars.add(variable().min(0.0).max(1.0));
                objective.add_mul(w * penalty, u);
                share.add_mul(1.0, u);
                constraints.push(share.eq(1.0));
            }
        }
    }
    for (s, mut l) in load.into_iter().enumerate() {
        if !used[s] || !caps[s].is_finite() {
            continue;
        }
        if s >= ne {
            l.add_mul(-caps[s], y[s - ne]);
            constraints.push(l.leq(0.0));
        } else {
            constraints.push(l.leq(caps[s]));
        }
    }
    match model {
        CapModel::Cover { served: need } => {
            for (j, &v) in y.iter().enumerate() {
                objective.add_mul(cost[j], v);
            }
            // A hair of slack so the float maximum flow is reachable by the LP's arithmetic.
            constraints.push(served.geq(need - 1e-7 * need.max(1.0)));
        }
        CapModel::Median { p, .. } => {
            let mut card = Expression::default();
            for &v in &y {
                card.add_mul(1.0, v);
            }
            constraints.push(card.leq(p as f64));
        }
    }
    let unsolved = vars.minimise(objective.clone());
    let read = |status: SolutionStatus, value: &dyn Fn(Variable) -> f64| -> CapResult {
        let chosen: Vec<u32> = y
            .iter()
            .enumerate()
            .filter(|&(_, &v)| value(v) > 0.5)
            .map(|(j, _)| j as u32)
            .collect();
        let flows = xs
            .iter()
            .filter_map(|&(i, s, x)| {
                let f = value(x) * pr.weights[i];
                (f > 1e-9).then_some(Flow {
                    demand: i,
                    site: s,
                    weight: f,
                })
            })
            .collect();
        let objective = if relax {
            // The relaxation's value is the bound.
            objective_value(pr, table, model, value, &y, &xs, &cost)
        } else {
            0.0
        };
        CapResult {
            chosen,
            objective,
            optimal: matches!(status, SolutionStatus::Optimal),
            flows,
        }
    };
    match backend {
        Backend::Microlp => {
            let mut m = unsolved.using(good_lp::microlp);
            if let Some(t) = time_limit {
                m = m.with_time_limit(t.as_secs_f64());
            }
            let sol = m.with_all(constraints).solve().map_err(|e| e.to_string())?;
            Ok(read(sol.status(), &|v| sol.value(v)))
        }
        Backend::Highs => {
            #[cfg(feature = "highs")]
            {
                let mut m = unsolved.using(good_lp::highs);
                if let Some(t) = time_limit {
                    m = m.with_time_limit(t.as_secs_f64());
                }
                let sol = m.with_all(constraints).solve().map_err(|e| e.to_string())?;
                Ok(read(sol.status(), &|v| sol.value(v)))
            }
            #[cfg(not(feature = "highs"))]
            {
                let _ = (unsolved, constraints, read);
                Err("this build has no HiGHS: rebuild with `--features highs`".to_string())
            }
        }
    }
}

/// The objective of a (relaxed) solution, recomputed from the variable values.
fn objective_value(
    pr: &SitingProblem,
    table: &ReachTable,
    model: CapModel,
    value: &dyn Fn(Variable) -> f64,
    y: &[Variable],
    xs: &[(usize, usize, Variable)],
    cost: &[f64],
) -> f64 {
    match model {
        CapModel::Cover { .. } => y.iter().zip(cost).map(|(&v, c)| c * value(v)).sum(),
        CapModel::Median { penalty, .. } => {
            let mut share = vec![0.0; table.n_demand];
            let mut total = 0.0;
            for &(i, s, x) in xs {
                let m = table
                    .row(i)
                    .find(|&(t, _)| t as usize == s)
                    .map_or(0.0, |(_, m)| m);
                total += pr.weights[i] * m * value(x);
                share[i] += value(x);
            }
            for i in 0..table.n_demand {
                if pr.weights[i] > 0.0 && table.offsets[i] < table.offsets[i + 1] {
                    total += pr.weights[i] * penalty * (1.0 - share[i]).max(0.0);
                }
            }
            total
        }
    }
}

/// Capacitated LSCP (`p = None`) or p-median (`p = Some`) on a problem with capacities.
pub(super) fn solve_model(
    pr: &SitingProblem,
    p: Option<usize>,
    opt: &super::SitingOptions,
    deadline: Option<std::time::Instant>,
) -> crate::Result<super::SitingSolution> {
    use super::{assemble, remaining, Assembled, Method, Sense};
    let backend = match opt.method {
        Method::ExactHighs => Backend::Highs,
        Method::Heuristic | Method::Exact => Backend::Microlp,
    };
    let ne = pr.n_existing;
    let mut all_open = vec![true; pr.reach.n_sites];
    let (served_all, _) = max_served(pr, &all_open);
    all_open[ne..].iter_mut().for_each(|o| *o = false);
    let (served_before, _) = max_served(pr, &all_open);
    let (model, table, name) = match p {
        None => (
            CapModel::Cover { served: served_all },
            &pr.reach,
            "lscp-capacitated",
        ),
        Some(p) => {
            let table = pr.full.as_ref().unwrap_or(&pr.reach);
            let penalty = opt.unreached_minutes.unwrap_or(if pr.full.is_some() {
                // A big-M past every listed minute: serving anyone beats leaving them out.
                2.0 * table.minutes.iter().copied().fold(0.0, f64::max) + 1.0
            } else {
                2.0 * pr.reach.limit_min
            });
            (
                CapModel::Median { p, penalty },
                table,
                "pmedian-capacitated",
            )
        }
    };
    let err = |e: String| super::bad(format!("capacitated {}: {e}", name));
    let bound_lp = solve(pr, table, model, true, backend, remaining(deadline)).map_err(err)?;
    let milp = solve(pr, table, model, false, backend, remaining(deadline)).map_err(err)?;
    // The integer answer's value, from its flows (the objective the MILP minimised).
    let value = |r: &CapResult| -> f64 {
        match model {
            CapModel::Cover { .. } => {
                let cost = pr.costs.as_ref();
                r.chosen
                    .iter()
                    .map(|&j| cost.map_or(1.0, |c| c[j as usize]))
                    .sum()
            }
            CapModel::Median { penalty, .. } => {
                let mut served = vec![0.0; table.n_demand];
                let mut total = 0.0;
                for f in &r.flows {
                    let m = table
                        .row(f.demand)
                        .find(|&(s, _)| s as usize == f.site)
                        .map_or(0.0, |(_, m)| m);
                    total += f.weight * m;
                    served[f.demand] += f.weight;
                }
                for i in 0..table.n_demand {
                    if pr.weights[i] > 0.0 && table.offsets[i] < table.offsets[i + 1] {
                        total += penalty * (pr.weights[i] - served[i]).max(0.0);
                    }
                }
                total
            }
        }
    };
    let (chosen, flows, objective, bound) = if milp.optimal {
        let v = value(&milp);
        (milp.chosen.clone(), milp.flows.clone(), v, v)
    } else if matches!(model, CapModel::Cover { .. }) {
        // Cut short without a proven answer: open every candidate that serves someone.
        let mut open = vec![true; pr.reach.n_sites];
        let (_, flows) = max_served(pr, &open);
        let chosen: Vec<u32> = (0..pr.reach.n_sites - ne)
            .filter(|&j| flows.iter().any(|f| f.site == ne + j))
            .map(|j| j as u32)
            .collect();
        open.iter_mut().for_each(|o| *o = false);
        let r = CapResult {
            chosen,
            objective: 0.0,
            optimal: false,
            flows,
        };
        let v = value(&r);
        (r.chosen, r.flows, v, bound_lp.objective)
    } else {
        let v = value(&milp);
        (
            milp.chosen.clone(),
            milp.flows.clone(),
            v,
            bound_lp.objective,
        )
    };
    let served_after: f64 = flows.iter().map(|f| f.weight).sum();
    let a = Assembled {
        chosen,
        objective,
        bound,
        method: format!(
            "{} (capacitated MILP, fractional assignment)",
            match backend {
                Backend::Microlp => "good_lp + microlp",
                Backend::Highs => "good_lp + HiGHS",
            }
        ),
        nodes: 0,
        iterations: 0,
        flows,
    };
    Ok(assemble(
        pr,
        name,
        Sense::Minimise,
        a,
        table,
        Some((served_before, served_after)),
    ))
}
