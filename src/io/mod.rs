pub mod osm;
