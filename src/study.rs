//! A study: the scenario, its layers loaded and validated, and the travel graph built with
//! every demand point and facility snapped onto it. Every later stage starts from here.

use std::path::Path;

use geo::{Contains, Coord, Point};
use rayon::prelude::*;
use rstar::{RTree, AABB};

use crate::community_type::{self, CommunityScope, CommunityType};
use crate::error::{Result, WarningKind, Warnings};
use crate::io::layer as gj;
use crate::io::scenario::Scenario;
use crate::model::{FacilityKind, Layers};
use crate::network::{RoadGraph, Snap, Snapper, SourceSet};
use crate::progress::Steps;

/// A point where elderly people live: a population cell, or a community's representative point
/// when no population layer is given.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DemandPoint {
    pub location: Point<f64>,
    /// Index of the community it belongs to.
    pub community: u32,
    pub population: f64,
    pub elderly: f64,
}

/// Everything loaded and prepared for the analyses.
pub struct Study {
    pub scenario: Scenario,
    pub layers: Layers,
    pub graph: RoadGraph,
    pub snapper: Snapper,
    /// Demand points (cells or communities) and where each joins the network.
    pub demand: Vec<DemandPoint>,
    pub demand_snaps: Vec<Option<Snap>>,
    /// Where each community's representative point joins the network.
    pub community_snaps: Vec<Option<Snap>>,
    /// Where each facility joins the network.
    pub facility_snaps: Vec<Option<Snap>>,
    /// True when demand is counted from a population layer.
    pub demand_from_cells: bool,
    /// Per community: urban community, village or other (see `community_type`).
    pub community_types: Vec<CommunityType>,
    pub warnings: Warnings,
}

/// A scenario with its layers read from their files and checked, before the network is built:
/// the point where the commands start hashing the input files for the report, on the core the
/// sequential parts of the network build leave free (while the layers are read, both cores are
/// busy reading).
pub struct StudyInputs {
    pub scenario: Scenario,
    pub layers: Layers,
    pub warnings: Warnings,
    steps: Steps,
}

impl StudyInputs {
    /// Reads every layer the scenario names; the scenario must have a roads layer.
    pub fn read(scenario: Scenario) -> Result<StudyInputs> {
        scenario.roads_layer()?;
        StudyInputs::read_without_roads(scenario)
    }

    /// Like [`StudyInputs::read`], but a scenario without `[layers.roads]` is read too (its
    /// study has an empty network).
    pub fn read_without_roads(scenario: Scenario) -> Result<StudyInputs> {
        let steps = Steps::new(5);
        let mut warnings = Warnings::default();
        steps.step("reading layers");
        // Only the fields the scenario maps and the rule set reads are kept from the files.
        let keep = |spec: &crate::io::scenario::LayerSpec, layer| -> Vec<String> {
            crate::io::scenario::rule_fields(&scenario.rule_set, layer)
                .iter()
                .map(|f| spec.field(f).to_string())
                .collect()
        };
        let rule_layer = crate::rules::Layer::Communities;
        let mut keep_communities = keep(&scenario.communities, rule_layer);
        // The community type (targets by community type) and a siting weight field are read
        // from the communities too.
        for key in ["kind", "urban_rural_code"] {
            if let Some(f) = scenario.communities.mapped(key) {
                keep_communities.push(f.to_string());
            }
        }
        if let crate::io::scenario::DemandWeight::Field(f) = &scenario.siting.weight {
            keep_communities.push(f.clone());
        }
        let keep_facilities = keep(&scenario.facilities, crate::rules::Layer::Facilities);
        // The layers are independent files: the roads (the largest by far) are read on one
        // core while the point and polygon layers are read on the other. Each reader collects
        // its own warnings, merged below in the layer order, and the first error in that order
        // is the one reported, so the outcome does not depend on which thread finishes first.
        let (point_layers, roads) = rayon::join(
            || {
                let mut w = Warnings::default();
                let communities =
                    gj::load_communities(&scenario.communities, &keep_communities, &mut w);
                let facilities =
                    gj::load_facilities(&scenario.facilities, &keep_facilities, &mut w);
                let population = scenario.population.as_ref().map(gj::load_population);
                let candidates = scenario.candidates.as_ref().map(gj::load_candidates);
                let parcels = scenario.parcels.as_ref().map(|spec| {
                    let keep: Vec<String> =
                        crate::io::scenario::parcel_rule_fields(&scenario.rule_set)
                            .iter()
                            .map(|f| spec.field(f).to_string())
                            .collect();
                    gj::load_parcels(spec, &keep, &mut w)
                });
                (communities, facilities, population, candidates, parcels, w)
            },
            || {
                let mut w = Warnings::default();
                let roads = match &scenario.roads {
                    Some(spec) => crate::io::load_roads(spec, &mut w),
                    None => Ok(Vec::new()),
                };
                (roads, w)
            },
        );
        let (communities, facilities, population, candidates, parcels, point_warnings) =
            point_layers;
        let (communities, facilities) = (communities?, facilities?);
        let population = population.transpose()?.unwrap_or_default();
        let candidates = candidates.transpose()?.unwrap_or_default();
        let parcels = parcels.transpose()?.unwrap_or_default();
        steps.step("reading roads");
        let (roads, road_warnings) = roads;
        let roads = roads?;
        warnings.extend(point_warnings);
        warnings.extend(road_warnings);
        let layers = Layers {
            communities,
            facilities,
            population,
            candidates,
            roads,
            parcels,
        };
        crate::io::validate::plausibility(&scenario, &layers, &mut warnings)?;
        Ok(StudyInputs {
            scenario,
            layers,
            warnings,
            steps,
        })
    }

    /// The study of these layers: the network built and every point snapped.
    pub fn prepare(self) -> Result<Study> {
        Study::from_layers(self.scenario, self.layers, self.warnings, &self.steps)
    }
}

impl Study {
    /// Loads a scenario file and everything it names. Errors name the file and the feature.
    pub fn load(scenario_path: &Path) -> Result<Study> {
        let scenario = Scenario::load(scenario_path)?;
        Study::from_scenario(scenario)
    }

    /// Loads every layer the scenario names; the scenario must have a roads layer.
    pub fn from_scenario(scenario: Scenario) -> Result<Study> {
        StudyInputs::read(scenario)?.prepare()
    }

    /// Like [`Study::from_scenario`], but a scenario without `[layers.roads]` gives a study
    /// with an empty network (nothing snapped): for `site --matrix`, whose travel times come
    /// from the matrix.
    pub fn from_scenario_without_roads(scenario: Scenario) -> Result<Study> {
        StudyInputs::read_without_roads(scenario)?.prepare()
    }

    /// Prepares a study from layers already in memory (the benchmarks and tests use this).
    pub fn from_layers(
        scenario: Scenario,
        mut layers: Layers,
        mut warnings: Warnings,
        steps: &Steps,
    ) -> Result<Study> {
        // Facilities and communities are ordered by id so that ties (equal minutes) are broken
        // by id, and outputs do not depend on the input order.
        layers.facilities.sort_by(|a, b| a.id.cmp(&b.id));
        steps.step("building the road graph");
        let graph = RoadGraph::build(&layers.roads, &scenario.travel.speeds(), &mut warnings);
        if let (0, Some(roads)) = (graph.edge_count(), &scenario.roads) {
            return Err(crate::InputError::file(
                &roads.path,
                crate::Problem::Other(format!(
                    "no road in this layer is open to {}ing; check the road classes",
                    scenario.travel.mode.as_str()
                )),
            )
            .into());
        }
        let snapper = Snapper::new(&graph);
        steps.step("snapping points to the network");
        // Snapping is a pure function of each point: parallel, in input order.
        let community_snaps: Vec<Option<Snap>> = layers
            .communities
            .par_iter()
            .map(|c| snapper.snap(&graph, c.representative))
            .collect();
        let max_access = scenario.network.max_access_m;
        let far: Vec<String> = layers
            .communities
            .iter()
            .zip(&community_snaps)
            .filter(|(_, s)| s.is_none_or(|s| s.access_m > max_access))
            .map(|(c, s)| {
                format!(
                    "{} {} ({:.0} m)",
                    c.id,
                    c.name,
                    s.map(|s| s.access_m).unwrap_or(f64::INFINITY)
                )
            })
            .collect();
        // Without a roads layer (a travel matrix), there is no road to be far from.
        for f in far.iter().filter(|_| scenario.roads.is_some()) {
            warnings.push(
                WarningKind::FarFromRoad,
                format!(
                    "community {f} is farther than {max_access:.0} m from any road; its times \
                     include that straight walk"
                ),
            );
        }
        let facility_snaps = layers
            .facilities
            .par_iter()
            .map(|f| snapper.snap(&graph, f.location))
            .collect();
        let demand_from_cells = !layers.population.is_empty();
        let demand = if demand_from_cells {
            cells_to_communities(&layers, &mut warnings)
        } else {
            layers
                .communities
                .iter()
                .enumerate()
                .map(|(i, c)| DemandPoint {
                    location: c.representative,
                    community: i as u32,
                    population: c.population,
                    elderly: c.elderly,
                })
                .collect()
        };
        let demand_snaps = if demand_from_cells {
            demand
                .par_iter()
                .map(|d| snapper.snap(&graph, d.location))
                .collect()
        } else {
            community_snaps.clone()
        };
        let community_types = layers
            .communities
            .iter()
            .map(|c| community_type::classify(c, &scenario.communities))
            .collect();
        steps.finish();
        Ok(Study {
            scenario,
            layers,
            graph,
            snapper,
            demand,
            demand_snaps,
            community_snaps,
            facility_snaps,
            demand_from_cells,
            community_types,
            warnings,
        })
    }

    /// The snapped facilities of one kind, in id order, with their indexes into
    /// `layers.facilities`.
    pub fn facilities_of(&self, kind: FacilityKind) -> (Vec<usize>, SourceSet) {
        let idx: Vec<usize> = (0..self.layers.facilities.len())
            .filter(|&i| self.layers.facilities[i].kind == kind)
            .collect();
        let snaps = idx.iter().map(|&i| self.facility_snaps[i]).collect();
        (idx, SourceSet::new(snaps))
    }

    /// The communities a kind's target applies to (all when the kind has no target or its
    /// target names no community type).
    pub fn target_scope(&self, kind: FacilityKind) -> Vec<bool> {
        let scope = self
            .scenario
            .targets
            .get(&kind)
            .map_or(CommunityScope::All, |t| t.communities);
        self.community_types
            .iter()
            .map(|&t| scope.includes(t))
            .collect()
    }

    /// The kinds to audit: those with facilities, and those with targets.
    pub fn audited_kinds(&self) -> Vec<FacilityKind> {
        FacilityKind::ALL
            .into_iter()
            .filter(|k| {
                self.scenario.targets.contains_key(k)
                    || self.layers.facilities.iter().any(|f| f.kind == *k)
            })
            .collect()
    }
}

/// Gives every population cell to the community that contains it; cells outside every
/// community go to the nearest community (by representative point), with one warning.
fn cells_to_communities(layers: &Layers, warnings: &mut Warnings) -> Vec<DemandPoint> {
    use geo::BoundingRect;
    use rstar::primitives::{GeomWithData, Rectangle};
    let boxes: Vec<GeomWithData<Rectangle<[f64; 2]>, u32>> = layers
        .communities
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            let r = c.geometry.bounding_rect()?;
            Some(GeomWithData::new(
                Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                i as u32,
            ))
        })
        .collect();
    let tree = RTree::bulk_load(boxes);
    let plane =
        crate::crs::LocalPlane::around(layers.communities.iter().map(|c| &c.representative.0));
    let reps: Vec<Coord<f64>> = layers
        .communities
        .iter()
        .map(|c| plane.project(c.representative.0))
        .collect();
    let mut outside = 0usize;
    let mut outside_elderly = 0.0;
    let points = layers
        .population
        .iter()
        .map(|cell| {
            let p = cell.location;
            let inside = tree
                .locate_in_envelope_intersecting(&AABB::from_point([p.x(), p.y()]))
                .map(|b| b.data)
                .filter(|&i| layers.communities[i as usize].geometry.contains(&p))
                .min();
            let community = inside.unwrap_or_else(|| {
                outside += 1;
                outside_elderly += cell.elderly;
                let q = plane.project(p.0);
                (0..reps.len() as u32)
                    .min_by(|&a, &b| {
                        let da = (reps[a as usize].x - q.x).hypot(reps[a as usize].y - q.y);
                        let db = (reps[b as usize].x - q.x).hypot(reps[b as usize].y - q.y);
                        da.total_cmp(&db).then(a.cmp(&b))
                    })
                    .unwrap_or(0)
            });
            DemandPoint {
                location: p,
                community,
                population: cell.population,
                elderly: cell.elderly,
            }
        })
        .collect();
    if outside > 0 {
        warnings.push(
            WarningKind::CellOutsideCommunities,
            format!(
                "{outside} population cells ({outside_elderly:.0} elderly people) lie outside \
                 every community; each was counted in the nearest community"
            ),
        );
    }
    points
}
