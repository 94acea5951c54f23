//! .prj (ESRI WKT1) and GeoPackage WKT recognition, and .prj writing.

use carecircle::crs::{Crs, Datum};

/// The .prj texts ArcGIS writes for these systems (ArcGIS Desktop/Pro, "Define Projection";
/// the same strings are in arcpy's spatial reference list).
const PRJ_4490: &str = r#"GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#;
const PRJ_4326: &str = r#"GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#;
const PRJ_4527: &str = r#"PROJCS["CGCS2000_3_Degree_GK_Zone_39",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",39500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",117.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#;
const PRJ_4548: &str = r#"PROJCS["CGCS2000_3_Degree_GK_CM_117E",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",117.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#;

/// As GDAL/QGIS write it (OGC WKT1 with authorities; the EPSG dataset's own definition).
const OGC_4527: &str = r#"PROJCS["CGCS2000 / 3-degree Gauss-Kruger zone 39",GEOGCS["China Geodetic Coordinate System 2000",DATUM["China_2000",SPHEROID["CGCS2000",6378137,298.257222101,AUTHORITY["EPSG","1024"]],AUTHORITY["EPSG","1043"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4490"]],PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",117],PARAMETER["scale_factor",1],PARAMETER["false_easting",39500000],PARAMETER["false_northing",0],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AUTHORITY["EPSG","4527"]]"#;

/// WKT2 as a GeoPackage's definition_12_063 column holds it.
const WKT2_4548: &str = r#"PROJCRS["CGCS2000 / 3-degree Gauss-Kruger CM 117E",
    BASEGEOGCRS["China Geodetic Coordinate System 2000",
        DATUM["China 2000",ELLIPSOID["CGCS2000",6378137,298.257222101,LENGTHUNIT["metre",1]]],
        PRIMEM["Greenwich",0,ANGLEUNIT["degree",0.0174532925199433]],ID["EPSG",4490]],
    CONVERSION["3-degree Gauss-Kruger CM 117E",
        METHOD["Transverse Mercator",ID["EPSG",9807]],
        PARAMETER["Latitude of natural origin",0,ANGLEUNIT["degree",0.0174532925199433]],
        PARAMETER["Longitude of natural origin",117,ANGLEUNIT["degree",0.0174532925199433]],
        PARAMETER["Scale factor at natural origin",1,SCALEUNIT["unity",1]],
        PARAMETER["False easting",500000,LENGTHUNIT["metre",1]],
        PARAMETER["False northing",0,LENGTHUNIT["metre",1]]],
    CS[Cartesian,2],
        AXIS["northing (X)",north,ORDER[1],LENGTHUNIT["metre",1]],
        AXIS["easting (Y)",east,ORDER[2],LENGTHUNIT["metre",1]],
    ID["EPSG",4548]]"#;

#[test]
fn arcgis_prj_texts_are_recognised() {
    assert_eq!(Crs::from_prj(PRJ_4490).unwrap(), Crs::Cgcs2000);
    assert_eq!(Crs::from_prj(PRJ_4326).unwrap(), Crs::Wgs84);
    let zone39 = Crs::from_prj(PRJ_4527).unwrap();
    assert_eq!(zone39.epsg(), Some(4527));
    assert_eq!(zone39, Crs::from_epsg(4527).unwrap());
    let cm117 = Crs::from_prj(PRJ_4548).unwrap();
    assert_eq!(cm117.epsg(), Some(4548));
    assert_eq!(cm117, Crs::from_epsg(4548).unwrap());
    // With a byte-order mark and the arcpy suffix (VERTCS and XY domain) it still reads.
    let arcpy = format!(
        "\u{feff}{};-5123200 -10002100 10000;-100000 10000;-100000 10000;0.001;0.001;0.001;IsHighPrecision",
        PRJ_4548
    );
    assert_eq!(Crs::from_prj(&arcpy).unwrap().epsg(), Some(4548));
}

#[test]
fn ogc_wkt1_and_wkt2_are_recognised() {
    assert_eq!(Crs::from_prj(OGC_4527).unwrap().epsg(), Some(4527));
    assert_eq!(Crs::from_prj(WKT2_4548).unwrap().epsg(), Some(4548));
}

/// Recognition is by parameters: a .prj named zone 39 whose false easting and central
/// meridian are zone 40's is zone 40; a renamed one is still found; the 6-degree CM 117E
/// (EPSG:4509) and the 3-degree one (4548) are the same projection, told apart by name.
#[test]
fn recognition_is_by_parameters_not_name() {
    let lying = PRJ_4527
        .replace("39500000.0", "40500000.0")
        .replace("\"Central_Meridian\",117.0", "\"Central_Meridian\",120.0");
    assert_eq!(Crs::from_prj(&lying).unwrap().epsg(), Some(4528));
    let renamed = PRJ_4527.replace("CGCS2000_3_Degree_GK_Zone_39", "my district grid");
    assert_eq!(Crs::from_prj(&renamed).unwrap().epsg(), Some(4527));
    let six = PRJ_4548.replace("CGCS2000_3_Degree_GK_CM_117E", "CGCS2000_GK_CM_117E");
    let six = Crs::from_prj(&six).unwrap();
    assert_eq!(six.epsg(), Some(4509));
    assert!(six.same_as(&Crs::from_epsg(4548).unwrap()));
    // A local central meridian (117.5°E) is no EPSG zone but reads as a transverse Mercator.
    let local = PRJ_4548.replace("\"Central_Meridian\",117.0", "\"Central_Meridian\",117.5");
    let Crs::TransverseMercator(t) = Crs::from_prj(&local).unwrap() else {
        panic!("not transverse Mercator")
    };
    assert_eq!((t.epsg, t.tm.lon0, t.datum), (None, 117.5, Datum::Cgcs2000));
}

#[test]
fn old_datums_and_unsupported_prj_are_refused_with_reasons() {
    let xian = r#"PROJCS["Xian_1980_3_Degree_GK_CM_117E",GEOGCS["GCS_Xian_1980",DATUM["D_Xian_1980",SPHEROID["Xian_1980",6378140.0,298.257]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",117.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#;
    let e = Crs::from_prj(xian).unwrap_err();
    assert!(e.contains("Xi'an 1980") && e.contains("+towgs84"), "{e}");
    let beijing = r#"GEOGCS["GCS_Beijing_1954",DATUM["D_Beijing_1954",SPHEROID["Krasovsky_1940",6378245.0,298.3]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#;
    let e = Crs::from_prj(beijing).unwrap_err();
    assert!(e.contains("Beijing 1954"), "{e}");
    let feet = PRJ_4548.replace(
        r#"UNIT["Meter",1.0]]"#,
        r#"UNIT["Foot_US",0.3048006096012192]]"#,
    );
    let e = Crs::from_prj(&feet).unwrap_err();
    assert!(e.contains("Foot_US") && e.contains("metres"), "{e}");
    let wkt2_feet = WKT2_4548.replace(
        r#"AXIS["easting (Y)",east,ORDER[2],LENGTHUNIT["metre",1]]"#,
        r#"AXIS["easting (Y)",east,ORDER[2],LENGTHUNIT["US survey foot",0.304800609601219]]"#,
    );
    let e = Crs::from_prj(&wkt2_feet).unwrap_err();
    assert!(e.contains("US survey foot"), "{e}");
    // A stub naming only its code is read by the code.
    let stub = r#"PROJCS["CGCS2000 / 3-degree Gauss-Kruger CM 117E",AUTHORITY["EPSG","4548"]]"#;
    assert_eq!(Crs::from_prj(stub).unwrap().epsg(), Some(4548));
    let e = Crs::from_prj("not a prj").unwrap_err();
    assert!(e.contains("WKT"), "{e}");
}

#[test]
fn geopackage_srs_rows() {
    assert_eq!(Crs::from_gpkg("EPSG", 4548, "").unwrap().epsg(), Some(4548));
    assert_eq!(Crs::from_gpkg("epsg", 4326, PRJ_4326).unwrap(), Crs::Wgs84);
    // An organisation code carecircle does not know falls back to the definition.
    assert_eq!(
        Crs::from_gpkg("NONE", 100001, OGC_4527).unwrap().epsg(),
        Some(4527)
    );
    // GeoPackage's own undefined systems.
    assert_eq!(Crs::from_gpkg("NONE", 0, "undefined").unwrap(), Crs::Wgs84);
    assert!(Crs::from_gpkg("NONE", -1, "undefined").is_err());
    // A refused code stays refused even with a definition.
    let e = Crs::from_gpkg("EPSG", 2383, "").unwrap_err();
    assert!(e.contains("Xi'an 1980"), "{e}");
}

/// What `to_prj_wkt` writes is what ArcGIS writes, byte for byte, and reads back the same.
#[test]
fn prj_output_is_arcgis_text_and_reads_back() {
    for (code, text) in [
        (4490, PRJ_4490),
        (4326, PRJ_4326),
        (4527, PRJ_4527),
        (4548, PRJ_4548),
    ] {
        let crs = Crs::from_epsg(code).unwrap();
        assert_eq!(crs.to_prj_wkt().unwrap(), text, "EPSG:{code}");
    }
    for code in [3857, 4491, 4509, 4534, 32650, 32750] {
        let crs = Crs::from_epsg(code).unwrap();
        let wkt = crs.to_prj_wkt().unwrap();
        let back = Crs::from_prj(&wkt).unwrap();
        assert!(
            back.same_as(&crs),
            "EPSG:{code}: {wkt} read back as {back:?}"
        );
    }
    assert!(Crs::from_epsg(4509)
        .unwrap()
        .to_prj_wkt()
        .unwrap()
        .starts_with(r#"PROJCS["CGCS2000_GK_CM_117E""#));
    assert!(Crs::from_epsg(32650)
        .unwrap()
        .to_prj_wkt()
        .unwrap()
        .starts_with(r#"PROJCS["WGS_1984_UTM_Zone_50N""#));
    let e = Crs::Gcj02.to_prj_wkt().unwrap_err();
    assert!(e.contains("no .prj"), "{e}");
}
