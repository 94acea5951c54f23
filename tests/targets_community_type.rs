//! Targets by community type on the demo: day care for urban communities (社区居委会), mutual-aid
//! points for villages (村委会). The number of proposed day-care sites falls against the same
//! target over every community, and every urban community that any site can reach is covered.

use carecircle::community_type::{CommunityScope, CommunityType};
use carecircle::coverage::audit;
use carecircle::model::FacilityKind;
use carecircle::site_plan::{plan_sites, SitingRequest};
use carecircle::siting::Model;
use carecircle::study::Study;

#[test]
fn demo_day_care_targets_urban_communities_only() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = carecircle::demo::write_demo_data(dir.path()).unwrap();
    let study = Study::load(&scenario).unwrap();
    // The demo maps 类别 (社区 / 村 / 虚拟社区) as community_type; the names agree with it.
    let urban = study
        .community_types
        .iter()
        .filter(|&&t| t == CommunityType::Urban)
        .count();
    let villages = study
        .community_types
        .iter()
        .filter(|&&t| t == CommunityType::Village)
        .count();
    for (c, t) in study.layers.communities.iter().zip(&study.community_types) {
        let by_name = carecircle::community_type::from_name(&c.name);
        assert_eq!(by_name, Some(*t), "{} {}", c.id, c.name);
    }
    assert_eq!(urban + villages + 1, 123, "one virtual community");
    assert!(
        villages > 10 && urban > 50,
        "{urban} urban, {villages} villages"
    );
    assert_eq!(
        study.scenario.targets[&FacilityKind::DayCare].communities,
        CommunityScope::Urban
    );
    assert_eq!(
        study.scenario.targets[&FacilityKind::MutualAid].communities,
        CommunityScope::Village
    );

    let result = audit(&study);
    let day = result
        .kinds
        .iter()
        .find(|k| k.kind == FacilityKind::DayCare)
        .unwrap();
    let totals = result.totals(day, |_| true);
    assert_eq!(
        totals.communities, urban,
        "day-care totals count urban communities"
    );
    assert!(result
        .uncovered(&study, day)
        .iter()
        .all(|&c| study.community_types[c] == CommunityType::Urban));

    let request = SitingRequest::new(&study, FacilityKind::DayCare, Model::Lscp).unwrap();
    let plan = plan_sites(&study, &result, &request).unwrap();
    let (_, after) = plan.communities_covered();
    let coverable_urban = (0..123)
        .filter(|&c| study.community_types[c] == CommunityType::Urban)
        .filter(|&c| plan.reach.row(c).next().is_some())
        .count();
    assert_eq!(
        after, coverable_urban,
        "every reachable urban community is covered"
    );
    assert!(plan.solution.proven_optimal, "gap {}", plan.solution.gap);
    // No day-care site serves only villages.
    for site in &plan.solution.sites {
        assert!(site
            .newly_covered
            .iter()
            .any(|&c| study.community_types[c] == CommunityType::Urban));
    }

    // The same target over every community (the demo before this change) needs more sites.
    let mut everyone = study.scenario.clone();
    everyone
        .targets
        .get_mut(&FacilityKind::DayCare)
        .unwrap()
        .communities = CommunityScope::All;
    let all_study = Study::from_scenario(everyone).unwrap();
    let all_result = audit(&all_study);
    let all_request = SitingRequest::new(&all_study, FacilityKind::DayCare, Model::Lscp).unwrap();
    let all_plan = plan_sites(&all_study, &all_result, &all_request).unwrap();
    let (n_all, n_urban) = (all_plan.solution.chosen.len(), plan.solution.chosen.len());
    println!("day-care sites: {n_all} for every community, {n_urban} for urban communities");
    assert!(n_urban < n_all, "{n_urban} urban vs {n_all} all");

    // Mutual-aid points are sited for villages only.
    let request = SitingRequest::new(&study, FacilityKind::MutualAid, Model::Lscp).unwrap();
    let mutual = plan_sites(&study, &result, &request).unwrap();
    for site in &mutual.solution.sites {
        assert!(site
            .newly_covered
            .iter()
            .all(|&c| study.community_types[c] == CommunityType::Village));
    }
    let (_, mutual_after) = mutual.communities_covered();
    let coverable_villages = (0..123)
        .filter(|&c| study.community_types[c] == CommunityType::Village)
        .filter(|&c| mutual.reach.row(c).next().is_some())
        .count();
    assert_eq!(mutual_after, coverable_villages);
}
