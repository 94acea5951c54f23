//! Road lines from OpenStreetMap PBF extracts (`.osm.pbf`).
//!
//! The file is read in two passes over its blobs:
//!
//! 1. the header is checked (it must be an OSM PBF header whose required features we
//!    understand), and every way with a `highway` tag is classified; the ones kept remember
//!    their node references (or their coordinates, for files written with `LocationsOnWays`);
//! 2. the coordinates of just the referenced nodes are looked up (a sorted id table, so memory
//!    grows with the road network, not with the file). When the header says the file is sorted
//!    (`Sort.Type_then_ID`) this pass stops at the first block of ways.
//!
//! Extracts cut at a bounding box keep ways whose outer nodes were left out. Such ways are split
//! at the missing nodes into runs of present nodes; runs of two or more nodes are kept and one
//! summary warning counts the missing references. Output is ordered by way id (pieces of one way
//! in their order along it), so it is the same for the same file whatever the blob order.
//!
//! Nothing here does geometry: coordinates are WGS-84 lon/lat as stored in the file.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use geo::Coord;
use osmpbf::{BlobDecode, BlobReader, Element, PrimitiveBlock};

use crate::error::{InputError, Problem, WarningKind, Warnings};
use crate::model::{OneWay, RoadLine};

/// Highway values that are not roads someone can use on the ground (yet, any more, or at all).
const DROPPED_HIGHWAYS: [&str; 9] = [
    "construction",
    "proposed",
    "abandoned",
    "razed",
    "platform",
    "raceway",
    "bus_stop",
    "rest_area",
    "services",
];

/// Highway classes where walking is not allowed unless the way says `foot=yes` (or similar).
const NO_WALK_HIGHWAYS: [&str; 4] = ["motorway", "motorway_link", "trunk", "trunk_link"];

/// Required header features this reader understands.
const SUPPORTED_FEATURES: [&str; 2] = ["OsmSchema-V0.6", "DenseNodes"];

/// What the loader decided for one highway way, from its tags alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WayRule {
    /// The `highway` value.
    pub class: String,
    pub oneway: OneWay,
    pub no_walk: bool,
}

/// Counts gathered while reading a file; `read_osm_pbf` turns the interesting ones into warnings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OsmStats {
    /// Ways with a non-empty `highway` tag.
    pub highway_ways: usize,
    /// Highway ways that passed the tag filter.
    pub kept_ways: usize,
    /// Kept ways that produced at least one road line.
    pub ways_with_lines: usize,
    /// Kept ways cut into more than one line, or shortened, at missing nodes.
    pub ways_split: usize,
    /// Kept ways left with no run of two or more present nodes.
    pub ways_lost: usize,
    /// Road lines returned.
    pub lines: usize,
    /// Vertices over all lines returned.
    pub vertices: usize,
    /// Distinct nodes used by the lines returned.
    pub distinct_nodes: usize,
    /// Node references of all highway ways (kept or not) to nodes absent from the file.
    pub missing_refs_highway: usize,
    /// Node references of the kept ways to nodes absent from the file.
    pub missing_refs_kept: usize,
    /// Node references of the kept ways to nodes whose coordinates are out of range.
    pub bad_coordinate_refs: usize,
}

/// Reads the highway ways of an OSM PBF file as road lines (WGS-84), ordered by way id.
///
/// Errors: the file cannot be read ([`Problem::Unreadable`]); it is not an OSM PBF file or is
/// damaged ([`Problem::Other`]); it has no usable highway ways ([`Problem::EmptyLayer`]).
/// Node references to nodes missing from the file (clipped extracts) are not an error: the ways
/// are split there and one [`WarningKind::SkippedRoad`] warning says how many.
pub fn read_osm_pbf(path: &Path, warnings: &mut Warnings) -> Result<Vec<RoadLine>, InputError> {
    read_osm_pbf_with_stats(path, warnings).map(|(lines, _)| lines)
}

/// [`read_osm_pbf`] that also returns the counts behind its warnings.
pub fn read_osm_pbf_with_stats(
    path: &Path,
    warnings: &mut Warnings,
) -> Result<(Vec<RoadLine>, OsmStats), InputError> {
    // A regular file within the size limit (never a FIFO or /dev/zero).
    let (mut file, _) = super::open_input(path, super::input_limits())?;
    // The osmpbf decoder works on untrusted bytes; it reports errors for everything we know of,
    // but a panic deep inside it must still come back as an error about this file.
    let result = catch_unwind(AssertUnwindSafe(|| read_file(path, &mut file)));
    let (lines, stats) = match result {
        Ok(r) => r?,
        Err(_) => {
            return Err(InputError::file(
                path,
                Problem::Other("damaged OpenStreetMap PBF file: the decoder failed".to_string()),
            ))
        }
    };
    if stats.missing_refs_kept > 0 {
        warnings.push(
            WarningKind::SkippedRoad,
            format!(
                "{}: {} way node references point to nodes not in the file (the extract was cut \
                 there); those ways were split there: {} roads split or shortened, {} dropped \
                 with fewer than two nodes left",
                path.display(),
                stats.missing_refs_kept,
                stats.ways_split,
                stats.ways_lost
            ),
        );
    }
    if stats.bad_coordinate_refs > 0 {
        warnings.push(
            WarningKind::SkippedRoad,
            format!(
                "{}: {} way node references point to nodes with coordinates outside \
                 longitude -180..180 / latitude -90..90; those ways were split there",
                path.display(),
                stats.bad_coordinate_refs
            ),
        );
    }
    if lines.is_empty() {
        return Err(InputError::file(path, Problem::EmptyLayer));
    }
    Ok((lines, stats))
}

/// Decides from a way's tags whether it is kept as a road, and how.
///
/// Returns `None` for ways without a (non-empty) `highway` tag, for highway values that are not
/// usable on the ground ([`DROPPED_HIGHWAYS`]) and for `access=private|no` unless
/// `foot=yes|designated|permissive`.
pub fn classify_way<'a>(tags: impl IntoIterator<Item = (&'a str, &'a str)>) -> Option<WayRule> {
    let mut highway = None;
    let mut access = None;
    let mut foot = None;
    let mut oneway = None;
    let mut junction = None;
    for (k, v) in tags {
        match k {
            "highway" => highway = Some(v.trim()),
            "access" => access = Some(v.trim()),
            "foot" => foot = Some(v.trim()),
            "oneway" => oneway = Some(v.trim()),
            "junction" => junction = Some(v.trim()),
            _ => {}
        }
    }
    let highway = highway.filter(|h| !h.is_empty())?;
    if DROPPED_HIGHWAYS.contains(&highway) {
        return None;
    }
    let foot_allowed = foot.is_some_and(|f| {
        ["yes", "designated", "permissive"]
            .iter()
            .any(|a| f.eq_ignore_ascii_case(a))
    });
    let access_closed =
        access.is_some_and(|a| a.eq_ignore_ascii_case("private") || a.eq_ignore_ascii_case("no"));
    if access_closed && !foot_allowed {
        return None;
    }
    let foot_no = foot.is_some_and(|f| f.eq_ignore_ascii_case("no"));
    let no_walk = foot_no || (NO_WALK_HIGHWAYS.contains(&highway) && !foot_allowed);
    Some(WayRule {
        class: highway.to_string(),
        oneway: oneway_of(highway, oneway, junction),
        no_walk,
    })
}

/// The direction rule of a way from its `highway`, `oneway` and `junction` values.
///
/// `yes|true|1` → forward, `-1|reverse` → backward, `no|false|0` → both ways. Without an
/// explicit value, roundabouts (`junction=roundabout|circular`) and motorways are one-way
/// forward. Other values (`reversible`, `alternating`: direction changes with time) count as
/// both ways.
pub fn oneway_of(highway: &str, oneway: Option<&str>, junction: Option<&str>) -> OneWay {
    let is = |v: &str, set: &[&str]| set.iter().any(|s| v.eq_ignore_ascii_case(s));
    match oneway {
        Some(v) if is(v, &["yes", "true", "1"]) => return OneWay::Forward,
        Some(v) if is(v, &["-1", "reverse"]) => return OneWay::Backward,
        Some(v) if is(v, &["no", "false", "0"]) => return OneWay::No,
        _ => {}
    }
    let roundabout = junction.is_some_and(|j| is(j, &["roundabout", "circular"]));
    if roundabout || highway == "motorway" {
        OneWay::Forward
    } else {
        OneWay::No
    }
}

/// Splits a sequence of vertices, `None` where a node is missing, into the runs of present
/// vertices with at least two distinct consecutive vertices. Repeated consecutive vertices
/// (the same node twice in a row) are collapsed. Returns the runs and the number of `None`s.
pub fn split_at_missing<T: PartialEq + Copy>(
    vertices: impl IntoIterator<Item = Option<T>>,
) -> (Vec<Vec<T>>, usize) {
    let mut runs = Vec::new();
    let mut run: Vec<T> = Vec::new();
    let mut missing = 0;
    for v in vertices {
        match v {
            Some(v) => {
                if run.last() != Some(&v) {
                    run.push(v);
                }
            }
            None => {
                missing += 1;
                if run.len() >= 2 {
                    runs.push(std::mem::take(&mut run));
                } else {
                    run.clear();
                }
            }
        }
    }
    if run.len() >= 2 {
        runs.push(run);
    }
    (runs, missing)
}

/// A highway way after pass 1.
struct PendingWay {
    id: i64,
    /// `None` for highway ways that were dropped: kept only to count their missing nodes.
    rule: Option<WayRule>,
    nodes: WayNodes,
}

enum WayNodes {
    /// Node ids, looked up in pass 2.
    Refs(Vec<i64>),
    /// Coordinates stored on the way (`LocationsOnWays`), with the node ids; `None` where the
    /// location is undefined or out of range (the writer had no node there: counted as missing).
    Located(Vec<(i64, Option<Coord<f64>>)>),
}

#[derive(Clone, Copy)]
enum Slot {
    Absent,
    Bad,
    At(Coord<f64>),
}

/// A coordinate in range, or `None`.
fn valid_coord(lon: f64, lat: f64) -> Option<Coord<f64>> {
    (lon.is_finite() && lat.is_finite() && lon.abs() <= 180.0 && lat.abs() <= 90.0)
        .then_some(Coord { x: lon, y: lat })
}

fn not_pbf(path: &Path, file: &mut File, what: impl std::fmt::Display) -> InputError {
    let hint = sniff_hint(file);
    InputError::file(
        path,
        Problem::Other(format!(
            "not an OpenStreetMap PBF file: {what}{hint}; give an .osm.pbf extract \
             (for example from download.geofabrik.de or BBBike)"
        )),
    )
}

/// A hint from the first bytes of a file that is not PBF.
fn sniff_hint(file: &mut File) -> &'static str {
    let mut head = [0u8; 64];
    let n = file
        .seek(SeekFrom::Start(0))
        .and_then(|_| file.read(&mut head))
        .unwrap_or(0);
    let head = &head[..n];
    let text = String::from_utf8_lossy(head);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if head.starts_with(&[0x1f, 0x8b]) || head.starts_with(b"BZh") {
        " (it is gzip/bzip2-compressed; an .osm.pbf is not compressed as a whole)"
    } else if text.starts_with("<?xml") || text.starts_with("<osm") {
        " (it looks like OSM XML; convert it with `osmium cat in.osm -o out.osm.pbf`)"
    } else if text.starts_with('{') {
        " (it looks like JSON; GeoJSON road layers are read by the GeoJSON loader)"
    } else {
        ""
    }
}

fn damaged(path: &Path, what: impl std::fmt::Display) -> InputError {
    InputError::file(
        path,
        Problem::Other(format!("damaged OpenStreetMap PBF file: {what}")),
    )
}

fn read_error(path: &Path, file: &mut File, header_seen: bool, e: osmpbf::Error) -> InputError {
    if let osmpbf::ErrorKind::Io(io) = e.kind() {
        if io.kind() != std::io::ErrorKind::UnexpectedEof {
            return InputError::file(path, Problem::Unreadable(io.to_string()));
        }
    }
    let what = match e.kind() {
        osmpbf::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            "the file ends in the middle of a block (truncated?)".to_string()
        }
        _ => e.to_string(),
    };
    if header_seen {
        damaged(path, what)
    } else {
        not_pbf(path, file, what)
    }
}

/// File header facts that matter here.
#[derive(Default)]
struct Header {
    sorted: bool,
}

/// Walks the blobs of the file, checking the header, and hands each data block to `f`.
/// `f` returns `false` to stop early.
fn for_each_block(
    path: &Path,
    file: &mut File,
    mut f: impl FnMut(&Header, &PrimitiveBlock) -> bool,
) -> Result<Header, InputError> {
    file.seek(SeekFrom::Start(0))
        .map_err(|e| InputError::file(path, Problem::Unreadable(e.to_string())))?;
    let reader = BlobReader::new(BufReader::new(&mut *file));
    let mut header: Option<Header> = None;
    let mut failure = None;
    for blob in reader {
        let blob = match blob {
            Ok(b) => b,
            Err(e) => {
                failure = Some((e, header.is_some()));
                break;
            }
        };
        let decoded = match blob.decode() {
            Ok(d) => d,
            Err(e) => {
                failure = Some((e, header.is_some()));
                break;
            }
        };
        match decoded {
            BlobDecode::OsmHeader(h) => {
                for feature in h.required_features() {
                    if feature == "HistoricalInformation" {
                        return Err(InputError::file(
                            path,
                            Problem::Other(
                                "this is an OSM history file (several versions of each \
                                 object); give a current extract instead"
                                    .to_string(),
                            ),
                        ));
                    }
                    if !SUPPORTED_FEATURES.contains(&feature.as_str()) {
                        return Err(InputError::file(
                            path,
                            Problem::Other(format!(
                                "the file requires the PBF feature \"{feature}\", which \
                                 carecircle cannot read"
                            )),
                        ));
                    }
                }
                let sorted = h
                    .optional_features()
                    .iter()
                    .any(|f| f == "Sort.Type_then_ID");
                header = Some(Header { sorted });
            }
            BlobDecode::OsmData(block) => {
                let Some(h) = &header else {
                    return Err(not_pbf(
                        path,
                        file,
                        "the data does not start with an OSMHeader block",
                    ));
                };
                if !f(h, &block) {
                    break;
                }
            }
            // Unknown blob types are to be skipped, says the format.
            BlobDecode::Unknown(_) => {}
        }
    }
    if let Some((e, header_seen)) = failure {
        return Err(read_error(path, file, header_seen, e));
    }
    header.ok_or_else(|| {
        let empty = file.metadata().map(|m| m.len() == 0).unwrap_or(false);
        not_pbf(
            path,
            file,
            if empty {
                "the file is empty"
            } else {
                "no OSMHeader block found"
            },
        )
    })
}

fn read_file(path: &Path, file: &mut File) -> Result<(Vec<RoadLine>, OsmStats), InputError> {
    // Pass 1: highway ways.
    let mut ways: Vec<PendingWay> = Vec::new();
    for_each_block(path, file, |_, block| {
        block.for_each_element(|element| {
            let Element::Way(way) = element else {
                return;
            };
            // (The tag iterator stops at a key or value that is not UTF-8; the way is judged
            // on the tags before it.)
            let tags: Vec<(&str, &str)> = way.tags().collect();
            if !tags
                .iter()
                .any(|(k, v)| *k == "highway" && !v.trim().is_empty())
            {
                return;
            }
            let rule = classify_way(tags);
            let n_refs = way.refs().len();
            let locations = way.node_locations();
            let nodes = if n_refs > 0 && locations.len() == n_refs {
                WayNodes::Located(
                    way.refs()
                        .zip(locations)
                        .map(|(id, l)| (id, valid_coord(l.lon(), l.lat())))
                        .collect(),
                )
            } else {
                WayNodes::Refs(way.refs().collect())
            };
            ways.push(PendingWay {
                id: way.id(),
                rule,
                nodes,
            });
        });
        true
    })?;

    // Pass 2: coordinates of the referenced nodes.
    let mut ids: Vec<i64> = ways
        .iter()
        .filter_map(|w| match &w.nodes {
            WayNodes::Refs(r) => Some(r.iter().copied()),
            WayNodes::Located(_) => None,
        })
        .flatten()
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let mut slots = vec![Slot::Absent; ids.len()];
    if !ids.is_empty() {
        let mut store = |id: i64, lon: f64, lat: f64| {
            if let Ok(i) = ids.binary_search(&id) {
                slots[i] = match valid_coord(lon, lat) {
                    Some(c) => Slot::At(c),
                    None => Slot::Bad,
                };
            }
        };
        for_each_block(path, file, |header, block| {
            let mut past_nodes = false;
            block.for_each_element(|element| match element {
                Element::DenseNode(n) => store(n.id(), n.lon(), n.lat()),
                Element::Node(n) => store(n.id(), n.lon(), n.lat()),
                Element::Way(_) | Element::Relation(_) => past_nodes = true,
            });
            // A sorted file has all nodes before the first way: stop reading there.
            !(header.sorted && past_nodes)
        })?;
    }

    // Assemble, in way-id order.
    ways.sort_by_key(|w| w.id);
    let mut stats = OsmStats {
        highway_ways: ways.len(),
        ..OsmStats::default()
    };
    let slot_of = |id: i64| match ids.binary_search(&id) {
        Ok(i) => slots[i],
        Err(_) => Slot::Absent,
    };
    let mut lines = Vec::new();
    let mut used: Vec<i64> = Vec::new();
    for way in &ways {
        // (node id, coordinate) per reference; `None` where the node is missing.
        let vertices: Vec<Option<(i64, Coord<f64>)>> = match &way.nodes {
            WayNodes::Refs(refs) => refs
                .iter()
                .map(|&id| match slot_of(id) {
                    Slot::At(c) => Some((id, c)),
                    Slot::Absent | Slot::Bad => None,
                })
                .collect(),
            WayNodes::Located(located) => {
                located.iter().map(|&(id, c)| c.map(|c| (id, c))).collect()
            }
        };
        let (absent, bad) = count_missing(way, &slot_of);
        stats.missing_refs_highway += absent;
        let Some(rule) = &way.rule else {
            continue;
        };
        stats.kept_ways += 1;
        stats.missing_refs_kept += absent;
        stats.bad_coordinate_refs += bad;
        let (runs, missing) = split_at_missing(vertices);
        if runs.is_empty() {
            stats.ways_lost += 1;
            continue;
        }
        stats.ways_with_lines += 1;
        if missing > 0 {
            stats.ways_split += 1;
        }
        for run in runs {
            stats.vertices += run.len();
            used.extend(run.iter().map(|(id, _)| *id));
            lines.push(RoadLine {
                coords: run.into_iter().map(|(_, c)| c).collect(),
                class: rule.class.clone(),
                oneway: rule.oneway,
                no_walk: rule.no_walk,
            });
        }
    }
    used.sort_unstable();
    used.dedup();
    stats.distinct_nodes = used.len();
    stats.lines = lines.len();
    Ok((lines, stats))
}

/// Missing (absent from the file) and out-of-range references of one way.
fn count_missing(way: &PendingWay, slot_of: &impl Fn(i64) -> Slot) -> (usize, usize) {
    match &way.nodes {
        WayNodes::Refs(refs) => refs.iter().fold((0, 0), |(a, b), &id| match slot_of(id) {
            Slot::Absent => (a + 1, b),
            Slot::Bad => (a, b + 1),
            Slot::At(_) => (a, b),
        }),
        WayNodes::Located(located) => (located.iter().filter(|(_, c)| c.is_none()).count(), 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    // Tiny PBF files written with pyosmium 4.3 (`osmium.SimpleWriter`), hex-encoded.
    // Nodes 1..6 at (24.000, 60.000), (24.001, 60.000), (24.002, 60.001), (24.003, 60.001),
    // (24.004, 60.002), (24.005, 60.003); nodes 97, 98 and 99 are referenced but absent.
    // Ways, written in this order (20 first, to check the output is sorted by id):
    //   20 highway=living_street oneway=yes [2,3]
    //   10 highway=residential name=Katu [1,2,3]
    //   11 highway=primary oneway=-1 [3,4]
    //   12 highway=footway [1,99,2,3]
    //   13 highway=construction [1,99]
    //   14 building=yes [4,5,6,4]
    //   15 highway=motorway [5,6]
    //   16 highway=service access=private [5,6]
    //   17 highway=service access=no foot=yes [5,6]
    //   18 highway=tertiary junction=roundabout [4,5,6,4]
    //   19 highway=path [99,6,6]
    //   21 highway=trunk foot=no [98,2,4,97]
    // TINY_SORTED has the header option sorting=Type_then_ID (`Sort.Type_then_ID`);
    // TINY_LOCATED is TINY copied with locations on ways and without nodes (pyosmium
    // \`FileProcessor(..).with_locations()\` into \`File(.., "pbf,locations_on_ways=true")\`, ways
    // only); the locations of 97, 98 and 99 are undefined.
    const TINY: &str = concat!(
        "0000000d0a094f534d486561646572183b102f1a37789c53e2f32fce0d4ece48cd4dd40d33d03353e27249cd",
        "2b4ef5cb4f492d6e6214c8c94cca2fcecd2ccdd537d23332d63304005f670e930000000b0a074f534d446174",
        "611849106c1a45789ce362e162e062104a114ae2626302032d0d2e3606301082d252505a094a6bb131816927",
        "818619b3f6b0302c98c308c240e425d2f0e1c3134608078e82a0fa0086e212c40000000c0a074f534d446174",
        "6118d10210ab041acb02789c6d8e4152c23014869bd7d0c6074809a01898d171e5c6855770eb219c50224421",
        "61d21487a3e9c6718671e30d3c8d6975536595c597effb1f7e128c305deac5f259ee30b146556f77a5b7da2c",
        "ee0bef94f218ef5411be5123d70adb4e157aae8cd77285f44efa12d38dd36be97608d737983e58ebab4827b7",
        "2604cadc6b6b90cd4abd9a8728b2b5f5d6d57332cf5551605a28b7d5b9aa435be915d22a82602cb2c7d2fc16",
        "bc726134cca0b3a599cb992d3dd28df44b6c851df3c4bf400836e44040404c2f914559348e2ea2abd62d5010",
        "138681250252d660314025b67fc4236c8a098829eb704204693748027bf21e8c33d6ad69e74f744f42f49893",
        "ae20cd5b280388c598f56aedb83987d5295938a52720ebff6353d6e731e9711167037a80f2600e058c4e0e2c",
        "4ed8a05e3c6db0d6077921913867a3a07201e34103a77bf246e82bf906cfba5cb7",
    );
    const TINY_SORTED: &str = concat!(
        "0000000d0a094f534d486561646572184e10421a4a789c53e2f32fce0d4ece48cd4dd40d33d03353e27249cd",
        "2b4ef5cb4f492dd6120cce2f2ad10ba92c488d2fc948cd8bf774696214c8c94cca2fcecd2ccdd537d23332d6",
        "330400c60815400000000b0a074f534d446174611849106c1a45789ce362e162e062104a114ae2626302032d",
        "0d2e3606301082d252505a094a6bb131816927818619b3f6b0302c98c308c240e425d2f0e1c3134608078e82",
        "a0fa0086e212c40000000c0a074f534d4461746118d10210ab041acb02789c6d8e4152c23014869bd7d0c607",
        "4809a01898d171e5c6855770eb219c5022442161d21487a3e9c6718671e30d3c8d6975536595c597effb1f7e",
        "128c305deac5f259ee30b146556f77a5b7da2cee0bef94f218ef5411be5123d70adb4e157aae8cd77285f44e",
        "fa12d38dd36be97608d737983e58ebab4827b72604cadc6b6b90cd4abd9a8728b2b5f5d6d57332cf5551605a",
        "28b7d5b9aa435be915d22a82602cb2c7d2fc16bc726134cca0b3a599cb992d3dd28df44b6c851df3c4bf4008",
        "36e44040404c2f914559348e2ea2abd62d5010138681250252d660314025b67fc4236c8a098829eb70420469",
        "3748027bf21e8c33d6ad69e74f744f42f49893ae20cd5b280388c598f56aedb83987d5295938a52720ebff63",
        "53d6e731e9711167037a80f2600e058c4e0e2c4ed8a05e3c6db0d6077921913867a3a07201e34103a77bf246",
        "e82bf906cfba5cb7",
    );
    const TINY_LOCATED: &str = concat!(
        "0000000d0a094f534d486561646572184c10401a48789c53e2f32fce0d4ece48cd4dd40d33d03353e27249cd",
        "2b4ef5cb4f492dd6e2f7c94f4e2cc9cccf2bf6cf0b4fac2c6e6214c8c94cca2fcecd2ccdd537d23332d63304",
        "00a08d14d90000000c0a074f534d4461746118940410e7061a8e04789c9d913f6fd34018c67d6727bebe4e9c",
        "f4d24275136262808aaa62414c0809296cfe02c8758ec690f82afb1c942d624305754042881494910fc050fe",
        "480d4ac4d2852f5004a888b5a2309270b65b2a33555d6c9ff53ccfef9ef7851d041a984d7fb579dfed425104",
        "3c79975b7ec70f566f4732e45c82dee591921981dbe660853cf21b3c90bedb02e3962b6330d742bfed865dc0",
        "9796c0bc23844c424a9e085440ec495f04405662bfd550a140da428a30c5b99ec7a308cc88871ddfe36950c7",
        "951c8c2404702080dc8d83c304c94305551808451c34dc15114b30d65cd98482e204f7e8d3025b24731423cc",
        "b06e9c07a255b505ed9c76a1701d1bd82183473ff7d06013d549efd9f3f786fa62cb0494bec8b049727a1d63",
        "ec58bdfdfdd4907866528f96982e122b83cc401e525490e1ab830c521cbcee2b03bb414a142186ac9cb688c7",
        "e803c20e4d19938d8dbebd7bf0b86f274e9aa2263fbe8fac3fc923612e91729a52faef9a63e4c071441d8ead",
        "ec2ab1292a33949f844130d61dfbcbf8d751b5ed2d5cb7d3cbfe3bab8a951467e70b822ad8fbfafb708ac34f",
        "9bd9141749550da4c27075f644facb6496eaa842995ead1927725c235411e6189e3f738a3657482d6d7336e7",
        "2d7c446f90e65893e9745ad97df0b06f6bf5ecf0e2c9b791a5b19b645e4129c30bb59cd11ca36d64bc450ecd",
        "acc9de865bf8e5bb75b581ecdfd1de3eefec8dacbf0fd6fab2",
    );

    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    fn temp_file(bytes: &[u8]) -> tempfile::NamedTempFile {
        let mut f = tempfile::Builder::new()
            .suffix(".osm.pbf")
            .tempfile()
            .unwrap();
        f.write_all(bytes).unwrap();
        f.flush().unwrap();
        f
    }

    fn tags<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Iterator<Item = (&'a str, &'a str)> {
        pairs.iter().copied()
    }

    fn rule(class: &str, oneway: OneWay, no_walk: bool) -> Option<WayRule> {
        Some(WayRule {
            class: class.to_string(),
            oneway,
            no_walk,
        })
    }

    #[test]
    fn classify_keeps_usable_highways() {
        assert_eq!(
            classify_way(tags(&[
                ("highway", "residential"),
                ("name", "Mannerheimintie")
            ])),
            rule("residential", OneWay::No, false)
        );
        assert_eq!(
            classify_way(tags(&[("highway", "footway")])),
            rule("footway", OneWay::No, false)
        );
        assert_eq!(classify_way(tags(&[("building", "yes")])), None);
        assert_eq!(classify_way(tags(&[("highway", "  ")])), None);
        assert_eq!(classify_way(tags(&[])), None);
        for dropped in DROPPED_HIGHWAYS {
            assert_eq!(
                classify_way(tags(&[("highway", dropped)])),
                None,
                "{dropped}"
            );
        }
    }

    #[test]
    fn classify_access_and_foot() {
        assert_eq!(
            classify_way(tags(&[("highway", "service"), ("access", "private")])),
            None
        );
        assert_eq!(
            classify_way(tags(&[("highway", "service"), ("access", "no")])),
            None
        );
        for foot in ["yes", "designated", "permissive"] {
            assert_eq!(
                classify_way(tags(&[
                    ("highway", "service"),
                    ("access", "private"),
                    ("foot", foot)
                ])),
                rule("service", OneWay::No, false),
                "{foot}"
            );
        }
        // access=destination and the like are usable.
        assert_eq!(
            classify_way(tags(&[("highway", "service"), ("access", "destination")])),
            rule("service", OneWay::No, false)
        );
        // foot=no keeps the way (cars may use it) but not for walking.
        assert_eq!(
            classify_way(tags(&[("highway", "primary"), ("foot", "no")])),
            rule("primary", OneWay::No, true)
        );
        for class in NO_WALK_HIGHWAYS {
            let r = classify_way(tags(&[("highway", class)])).unwrap();
            assert!(r.no_walk, "{class}");
        }
        // An explicit foot permission opens a trunk road to walking.
        assert_eq!(
            classify_way(tags(&[("highway", "trunk"), ("foot", "yes")])),
            rule("trunk", OneWay::No, false)
        );
    }

    #[test]
    fn oneway_rules() {
        use OneWay::*;
        assert_eq!(oneway_of("residential", None, None), No);
        for v in ["yes", "true", "1", "YES"] {
            assert_eq!(oneway_of("residential", Some(v), None), Forward, "{v}");
        }
        for v in ["-1", "reverse"] {
            assert_eq!(oneway_of("residential", Some(v), None), Backward, "{v}");
        }
        assert_eq!(oneway_of("residential", Some("reversible"), None), No);
        assert_eq!(oneway_of("tertiary", None, Some("roundabout")), Forward);
        assert_eq!(oneway_of("tertiary", None, Some("circular")), Forward);
        assert_eq!(oneway_of("tertiary", Some("no"), Some("roundabout")), No);
        assert_eq!(
            oneway_of("tertiary", Some("-1"), Some("roundabout")),
            Backward
        );
        assert_eq!(oneway_of("motorway", None, None), Forward);
        assert_eq!(oneway_of("motorway", Some("no"), None), No);
        assert_eq!(oneway_of("motorway_link", None, None), No);
        assert_eq!(
            classify_way(tags(&[("highway", "primary"), ("oneway", "-1")])),
            rule("primary", Backward, false)
        );
    }

    #[test]
    fn split_runs_at_missing_nodes() {
        let (runs, missing) = split_at_missing([Some(1), Some(2), None, Some(3), Some(4), Some(5)]);
        assert_eq!(runs, vec![vec![1, 2], vec![3, 4, 5]]);
        assert_eq!(missing, 1);
        // Single present nodes between gaps are dropped.
        let (runs, missing) = split_at_missing([None, Some(1), None, Some(2), Some(3), None]);
        assert_eq!(runs, vec![vec![2, 3]]);
        assert_eq!(missing, 3);
        // Repeated nodes collapse; a run of one repeated node is no line.
        let (runs, missing) = split_at_missing([Some(7), Some(7), None, Some(8), Some(8), Some(9)]);
        assert_eq!(runs, vec![vec![8, 9]]);
        assert_eq!(missing, 1);
        let (runs, missing) = split_at_missing::<i32>([None, None]);
        assert!(runs.is_empty());
        assert_eq!(missing, 2);
        let (runs, missing) = split_at_missing::<i32>([]);
        assert!(runs.is_empty());
        assert_eq!(missing, 0);
        // A closed ring stays closed.
        let (runs, _) = split_at_missing([Some(4), Some(5), Some(6), Some(4)]);
        assert_eq!(runs, vec![vec![4, 5, 6, 4]]);
    }

    fn check_tiny(bytes: &[u8]) {
        let file = temp_file(bytes);
        let mut warnings = Warnings::default();
        let (lines, stats) = read_osm_pbf_with_stats(file.path(), &mut warnings).unwrap();
        let x = |i: u32| 24.0 + 0.001 * f64::from(i - 1);
        let node = |i: u32| match i {
            1 => Coord {
                x: 24.000,
                y: 60.000,
            },
            2 => Coord {
                x: 24.001,
                y: 60.000,
            },
            3 => Coord {
                x: 24.002,
                y: 60.001,
            },
            4 => Coord {
                x: 24.003,
                y: 60.001,
            },
            5 => Coord {
                x: 24.004,
                y: 60.002,
            },
            6 => Coord {
                x: 24.005,
                y: 60.003,
            },
            _ => unreachable!(),
        };
        assert_eq!(x(3), 24.002);
        // (way, class, oneway, no_walk, nodes), in way-id order.
        let expected: [(&str, OneWay, bool, &[u32]); 8] = [
            ("residential", OneWay::No, false, &[1, 2, 3]), // 10
            ("primary", OneWay::Backward, false, &[3, 4]),  // 11
            ("footway", OneWay::No, false, &[2, 3]),        // 12, split at 99
            ("motorway", OneWay::Forward, true, &[5, 6]),   // 15
            ("service", OneWay::No, false, &[5, 6]),        // 17, foot=yes
            ("tertiary", OneWay::Forward, false, &[4, 5, 6, 4]), // 18
            ("living_street", OneWay::Forward, false, &[2, 3]), // 20
            ("trunk", OneWay::No, true, &[2, 4]),           // 21, cut at 97 and 98
        ];
        assert_eq!(lines.len(), expected.len());
        for (line, (class, oneway, no_walk, nodes)) in lines.iter().zip(expected) {
            assert_eq!(line.class, class);
            assert_eq!(line.oneway, oneway, "{class}");
            assert_eq!(line.no_walk, no_walk, "{class}");
            assert_eq!(line.coords.len(), nodes.len(), "{class}");
            for (c, &n) in line.coords.iter().zip(nodes) {
                // PBF stores 100-nanodegree units.
                assert!((c.x - node(n).x).abs() < 1e-9, "{class}: {c:?}");
                assert!((c.y - node(n).y).abs() < 1e-9, "{class}: {c:?}");
            }
        }
        assert_eq!(
            stats,
            OsmStats {
                highway_ways: 11,
                kept_ways: 9,
                ways_with_lines: 8,
                ways_split: 2,
                ways_lost: 1,
                lines: 8,
                vertices: 19,
                distinct_nodes: 6,
                missing_refs_highway: 5,
                missing_refs_kept: 4,
                bad_coordinate_refs: 0,
            }
        );
        assert_eq!(warnings.items.len(), 1);
        assert_eq!(warnings.count(WarningKind::SkippedRoad), 1);
        let msg = &warnings.items[0].message;
        assert!(
            msg.contains("4 way node references point to nodes not in the file"),
            "{msg}"
        );
        assert!(
            msg.contains("2 roads split or shortened, 1 dropped"),
            "{msg}"
        );
    }

    #[test]
    fn reads_tiny_file() {
        check_tiny(&unhex(TINY));
    }

    #[test]
    fn reads_sorted_file_and_stops_at_ways() {
        check_tiny(&unhex(TINY_SORTED));
    }

    #[test]
    fn reads_locations_on_ways() {
        check_tiny(&unhex(TINY_LOCATED));
    }

    #[test]
    fn missing_file_is_unreadable() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nowhere.osm.pbf");
        let err = read_osm_pbf(&path, &mut Warnings::default()).unwrap_err();
        assert!(matches!(err.problem, Problem::Unreadable(_)), "{err}");
        assert!(err.to_string().contains("nowhere.osm.pbf"), "{err}");
    }

    #[test]
    fn bad_files_are_errors_naming_the_file() {
        let cases: [(&[u8], &str); 5] = [
            (b"hello", "not an OpenStreetMap PBF file"),
            (b"", "the file is empty"),
            (
                b"<?xml version='1.0'?>\n<osm version=\"0.6\"></osm>\n",
                "looks like OSM XML",
            ),
            (b"{\"type\": \"FeatureCollection\"}", "looks like JSON"),
            (&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0], "gzip"),
        ];
        for (bytes, words) in cases {
            let file = temp_file(bytes);
            let name = file
                .path()
                .file_name()
                .unwrap()
                .to_string_lossy()
                .to_string();
            let mut warnings = Warnings::default();
            let err = read_osm_pbf(file.path(), &mut warnings).unwrap_err();
            assert!(matches!(err.problem, Problem::Other(_)), "{err}");
            let text = err.to_string();
            assert!(text.contains(&name), "{text}");
            assert!(text.contains(words), "{text}");
            assert!(warnings.items.is_empty());
        }
    }

    #[test]
    fn truncated_and_damaged_files_are_errors() {
        let tiny = unhex(TINY);
        // Every cut of the file either reads (the cut fell between blocks) or fails cleanly.
        let mut damaged = 0;
        for cut in 0..tiny.len() {
            let file = temp_file(&tiny[..cut]);
            match read_osm_pbf(file.path(), &mut Warnings::default()) {
                Ok(_) => {}
                Err(e) => {
                    assert!(
                        matches!(e.problem, Problem::Other(_) | Problem::EmptyLayer),
                        "cut {cut}: {e}"
                    );
                    if e.to_string().contains("damaged") {
                        damaged += 1;
                    }
                }
            }
        }
        assert!(damaged > 0);
        // Flipped bytes inside the compressed data.
        for pos in (0..tiny.len()).step_by(7) {
            let mut bytes = tiny.clone();
            bytes[pos] ^= 0x5a;
            let file = temp_file(&bytes);
            let _ = read_osm_pbf(file.path(), &mut Warnings::default());
        }
    }

    #[test]
    fn header_only_file_is_empty_layer() {
        let tiny = unhex(TINY);
        // The first blob is the header: a 4-byte length, the BlobHeader (type "OSMHeader",
        // then field 3, datasize, here a one-byte varint) and the Blob itself.
        let header_len = u32::from_be_bytes([tiny[0], tiny[1], tiny[2], tiny[3]]) as usize;
        assert_eq!(&tiny[6..15], b"OSMHeader");
        assert_eq!(tiny[4 + header_len - 2], 0x18);
        let datasize = tiny[4 + header_len - 1] as usize;
        assert!(datasize < 0x80);
        let end = 4 + header_len + datasize;
        let file = temp_file(&tiny[..end]);
        let err = read_osm_pbf(file.path(), &mut Warnings::default()).unwrap_err();
        assert_eq!(err.problem, Problem::EmptyLayer, "{err}");
        // Cut inside the header blob: not a PBF file (it ends before any header was read).
        let file = temp_file(&tiny[..end - 1]);
        let err = read_osm_pbf(file.path(), &mut Warnings::default()).unwrap_err();
        assert!(
            err.to_string().contains("not an OpenStreetMap PBF file"),
            "{err}"
        );
        // Data blocks without a header first.
        let file = temp_file(&tiny[end..]);
        let err = read_osm_pbf(file.path(), &mut Warnings::default()).unwrap_err();
        assert!(
            err.to_string().contains("does not start with an OSMHeader"),
            "{err}"
        );
    }
}
