//! The evidence behind a siting answer's bound, for `--certificate`: what the reductions
//! removed, which candidates they forced, and per independent component the LP relaxation's
//! value, the proven bound and the branch-and-bound nodes. A reviewer re-checks a component by
//! solving its LP (rows and candidates as listed after the reductions) and the bound adds up:
//! `bound = Σ cost(forced) + Σ_components ⌈LP or search bound⌉`.
//!
//! [`certificate_json`] renders it, with the solution's objective, bound and gap, as JSON.

use serde_json::{json, Value};

use super::reduce::ReductionStats;
use super::SitingSolution;

/// One independent component of the reduced set-cover instance.
#[derive(Debug, Clone, PartialEq)]
pub struct ComponentSummary {
    pub rows: usize,
    pub candidates: usize,
    /// Value of the LP relaxation at the root; NaN when the component was too large for the LP
    /// and its bound comes from the Lagrangian relaxation instead.
    pub root_lp: f64,
    /// Proven lower bound (the optimum when `bound == value`).
    pub bound: f64,
    /// Cost of the component's chosen candidates.
    pub value: f64,
    pub nodes: usize,
}

/// The search's proof summary (LSCP exact search).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Certificate {
    pub reductions: Option<ReductionStats>,
    /// Candidates the reductions forced open (indices among candidates).
    pub forced: Vec<usize>,
    pub components: Vec<ComponentSummary>,
    pub nodes: usize,
    pub lp_iterations: usize,
}

fn num(x: f64) -> Value {
    if x.is_finite() {
        json!(x)
    } else {
        Value::Null
    }
}

/// The certificate of `solution` as pretty-printed JSON bytes (ends with a newline). Solutions
/// without a certificate still get their objective, bound, gap and search counts.
pub fn certificate_json(solution: &SitingSolution) -> Vec<u8> {
    let mut doc = json!({
        "model": solution.model,
        "method": solution.method,
        "objective": num(solution.objective),
        "bound": num(solution.bound),
        "gap": num(solution.gap),
        "proven_optimal": solution.proven_optimal,
        "chosen": solution.chosen,
        "nodes": solution.nodes,
        "iterations": solution.iterations,
    });
    if let Some(c) = &solution.certificate {
        let comps: Vec<Value> = c
            .components
            .iter()
            .map(|k| {
                json!({
                    "rows": k.rows,
                    "candidates": k.candidates,
                    "root_lp": num(k.root_lp),
                    "bound": num(k.bound),
                    "value": num(k.value),
                    "nodes": k.nodes,
                })
            })
            .collect();
        let red = c.reductions.as_ref().map(|r| {
            json!({
                "rows_in": r.rows_in,
                "candidates_in": r.candidates_in,
                "forced": r.forced,
                "rows_covered_by_forced": r.rows_covered_by_forced,
                "rows_dominated": r.rows_dominated,
                "candidates_dominated": r.candidates_dominated,
                "candidates_covering_nothing": r.candidates_empty,
                "rounds": r.rounds,
                "rows_left": r.rows_left,
                "candidates_left": r.candidates_left,
            })
        });
        doc["certificate"] = json!({
            "reductions": red,
            "forced_candidates": c.forced,
            "components": comps,
            "search_nodes": c.nodes,
            "lp_iterations": c.lp_iterations,
        });
    }
    let mut out = serde_json::to_vec_pretty(&doc).expect("JSON of plain values");
    out.push(b'\n');
    out
}
