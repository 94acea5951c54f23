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
    /// Value of the LP relaxation at the root (microlp's simplex on components up to 1,500
    /// rows, clarabel's interior point above); NaN when the LP was cut short by the time limit
    /// and the bound comes from the Lagrangian relaxation alone.
    pub root_lp: f64,
    /// Proven lower bound (the optimum when `bound == value`).
    pub bound: f64,
    /// Cost of the component's chosen candidates.
    pub value: f64,
    pub nodes: usize,
}

/// The search's proof summary: for LSCP the reductions and the components; for MCLP and
/// p-median the Lagrangian dual of the root.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Certificate {
    pub reductions: Option<ReductionStats>,
    /// Candidates the reductions forced open (indices among candidates).
    pub forced: Vec<usize>,
    pub components: Vec<ComponentSummary>,
    pub nodes: usize,
    pub lp_iterations: usize,
    /// MCLP and p-median: multipliers whose Lagrangian bound anyone can recompute from the
    /// problem (see [`crate::siting::check_dual`]).
    pub dual: Option<DualCertificate>,
}

/// The Lagrangian dual behind an MCLP or p-median bound. With `f_i` the cost of leaving demand
/// `i` to its fallback (MCLP: its weight, 0 when an existing facility covers it; p-median: its
/// weight × the minutes to the nearest existing facility or the unreached penalty) and `c_ij`
/// the cost of serving it from candidate `j` (MCLP: 0 within reach; p-median: weight ×
/// minutes), entries with `c_ij ≥ f_i` left out, and `p` the sites to open,
/// `L(λ) = Σ_i (λ_i + min(0, f_i − λ_i)) + (the sum of the p smallest ρ_j)`,
/// `ρ_j = Σ_i min(0, c_ij − λ_i)` over the candidates not listed as dominated, is at most the
/// optimum for any `λ` (relaxing "every demand is served once"). A candidate may be left out
/// when another reaches every demand it reaches at no greater cost. The minimised quantity is
/// the total cost (p-median) or the weight left uncovered (MCLP), so the MCLP bound on the
/// covered weight is `total weight − L(λ)`.
#[derive(Debug, Clone, PartialEq)]
pub struct DualCertificate {
    /// `λ_i`, one per demand (row of the reach table), in the minimised units.
    pub multipliers: Vec<f64>,
    /// `(j, k)`: candidate `j` left out, dominated by candidate `k` (indices among
    /// candidates; `k` is never itself left out).
    pub dominated: Vec<(usize, usize)>,
    /// The bound `L(λ)` gives, in the model's reported units (p-median: a lower bound on the
    /// weighted minutes; MCLP: an upper bound on the covered weight). The solution's bound can
    /// be better: the branch-and-bound and the floor add to it.
    pub bound: f64,
}

/// How a reader re-checks `dual.bound` (certificate.json).
const DUAL_CHECK: &str =
    "bound = L(multipliers) = sum_i (l_i + min(0, f_i - l_i)) + the sum of the p \
smallest rho_j = sum_i min(0, c_ij - l_i) over the candidates not in dominated_candidates \
(each [j, k]: candidate k reaches every demand j reaches at no greater cost); f_i = the cost of \
demand i's fallback, c_ij = the cost of serving it from candidate j (entries with c_ij >= f_i \
left out); MCLP minimises the weight left uncovered (f_i = weight, 0 when an existing \
facility covers it; c_ij = 0 within reach) and its bound on the covered weight is the total \
weight - L; p-median minimises weight x minutes.";

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
    if let Some(d) = solution.certificate.as_ref().and_then(|c| c.dual.as_ref()) {
        let dominated: Vec<[usize; 2]> = d.dominated.iter().map(|&(j, k)| [j, k]).collect();
        doc["dual"] = json!({
            "bound": num(d.bound),
            "multipliers": d.multipliers.iter().map(|&x| num(x)).collect::<Vec<Value>>(),
            "dominated_candidates": dominated,
            "check": DUAL_CHECK,
        });
    }
    if let Some(c) = solution
        .certificate
        .as_ref()
        .filter(|c| c.reductions.is_some() || !c.components.is_empty())
    {
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
