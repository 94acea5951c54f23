//! Joint siting on the demo: day-care centres (urban communities) and canteens sited together
//! share sites, never need more distinct sites than siting each alone, and still cover every
//! reachable community of each kind's target; sites.csv says which kinds each site hosts.

use carecircle::coverage::audit;
use carecircle::model::FacilityKind;
use carecircle::report::sites::sites_csv;
use carecircle::site_plan::{plan_joint, SitingRequest};
use carecircle::siting::Model;
use carecircle::study::Study;

#[test]
fn demo_day_care_and_canteens_together() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = carecircle::demo::write_demo_data(dir.path()).unwrap();
    let study = Study::load(&scenario).unwrap();
    let result = audit(&study);
    let kinds = [FacilityKind::DayCare, FacilityKind::Canteen];
    let request = SitingRequest::new(&study, kinds[0], Model::Lscp).unwrap();
    let (plans, joint) = plan_joint(&study, &result, &kinds, &request, 0.0).unwrap();
    println!(
        "joint: {} sites; alone: {} sites ({} + {})",
        joint.sites.len(),
        joint.separate_sites.len(),
        joint.separate_hosted[0].len(),
        joint.separate_hosted[1].len()
    );
    assert!(joint.sites.len() <= joint.separate_sites.len());
    assert!(joint.sites.len() < joint.separate_hosted[0].len() + joint.separate_hosted[1].len());
    for plan in &plans {
        assert!(plan.solution.chosen.iter().all(|j| joint.sites.contains(j)));
        // Every community of the kind's target with elderly people and some site within reach
        // is covered by an existing facility or a chosen site.
        let ne = plan.existing.len();
        for c in 0..plan.reach.n_demand {
            if !plan.in_scope[c] || plan.weights[c] <= 0.0 || plan.reach.row(c).next().is_none() {
                continue;
            }
            assert!(
                plan.reach.row(c).any(|(s, _)| {
                    let s = s as usize;
                    s < ne || plan.solution.chosen.contains(&(s - ne))
                }),
                "{} community {c} left uncovered",
                plan.kind
            );
        }
    }
    // A site hosting both kinds says so in sites.csv.
    let csv = String::from_utf8(sites_csv(&study, &plans).unwrap()).unwrap();
    let header = csv.lines().next().unwrap();
    assert!(header.contains("kinds_at_site"), "{header}");
    let shared = joint
        .sites
        .iter()
        .filter(|j| joint.hosted.iter().all(|h| h.contains(j)))
        .count();
    assert!(shared > 0, "no site hosts both kinds");
    assert!(csv.contains("day_care;canteen"), "{csv}");
}
