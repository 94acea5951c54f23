//! The travel-matrix CSV reader.

use std::io::Write;

use carecircle::siting::{read_travel_matrix, read_travel_matrix_with_speed};
use carecircle::Problem;

fn ids(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn file(text: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(text.as_bytes()).unwrap();
    f
}

#[test]
fn minutes_without_header() {
    let f = file("c1,f1,3.5\nc2,f1,20\nc2,s9,12\n\nc1,s9,4\nc1,s9,2\n");
    let t = read_travel_matrix(f.path(), &ids(&["c1", "c2"]), &ids(&["f1", "s9"]), 15.0).unwrap();
    assert_eq!(t.n_demand, 2);
    assert_eq!(t.n_sites, 2);
    assert_eq!(t.row(0).collect::<Vec<_>>(), vec![(0, 3.5), (1, 2.0)]);
    assert_eq!(t.row(1).collect::<Vec<_>>(), vec![(1, 12.0)]);
}

#[test]
fn metres_with_a_header_and_bom() {
    let f = file("\u{feff}社区,设施,距离米\nc1,f1,600\nc2,f1,1200\n");
    let t = read_travel_matrix_with_speed(
        f.path(),
        &ids(&["c1", "c2"]),
        &ids(&["f1"]),
        15.0,
        Some(60.0),
    )
    .unwrap();
    assert_eq!(t.row(0).collect::<Vec<_>>(), vec![(0, 10.0)]);
    assert_eq!(t.row(1).count(), 0);
    // Metres without a speed is an error that says so.
    let e = read_travel_matrix(f.path(), &ids(&["c1", "c2"]), &ids(&["f1"]), 15.0).unwrap_err();
    assert!(e.to_string().contains("line 1"), "{e}");
    assert!(e.to_string().contains("speed"), "{e}");
    let f = file("demand,site,minutes\nc1,f1,6\n");
    let t = read_travel_matrix(f.path(), &ids(&["c1"]), &ids(&["f1"]), 15.0).unwrap();
    assert_eq!(t.len(), 1);
}

#[test]
fn errors_name_the_file_and_line() {
    let demands = ids(&["c1", "c2"]);
    let sites = ids(&["f1"]);
    let cases = [
        ("c1,f1,3\nc3,f1,4\n", "line 2", "demand id \"c3\""),
        ("c1,f1,3\nc2,f7,4\n", "line 2", "site id \"f7\""),
        ("c1,f1,3\nc2,f1,abc\n", "line 2", "not a number"),
        ("c1,f1,3\nc2,f1,-1\n", "line 2", ">= 0"),
        ("c1,f1,3\nc2,f1\n", "line 2", "columns"),
        ("a,b,colour\nc1,f1,3\n", "line 1", "minutes or metres"),
    ];
    for (text, line, what) in cases {
        let f = file(text);
        let e = read_travel_matrix(f.path(), &demands, &sites, 15.0).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains(&f.path().display().to_string()), "{msg}");
        assert!(msg.contains(line), "{msg}");
        assert!(msg.contains(what), "{msg}");
    }
    let e = read_travel_matrix("/nonexistent/matrix.csv", &demands, &sites, 15.0).unwrap_err();
    assert!(matches!(e.problem, Problem::Unreadable(_)));
    let f = file("c1,f1,3\n");
    let e = read_travel_matrix(f.path(), &ids(&["c1", "c1"]), &sites, 15.0).unwrap_err();
    assert!(matches!(e.problem, Problem::DuplicateId { .. }));
}
