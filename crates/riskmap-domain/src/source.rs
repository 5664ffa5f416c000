//! The sources of a region folder (SPEC, "The region folder"): their file
//! stems, geometry and required columns.

/// What geometry a source carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeometryKind {
    /// Polygons or multipolygons (a vector layer).
    Polygon,
    /// Lines (a vector layer).
    Line,
    /// Points, from `lon`/`lat` columns or a point layer.
    Point,
    /// A plain table without geometry.
    Table,
    /// A single-band raster.
    Raster,
}

macro_rules! sources {
    ($($(#[$meta:meta])* $variant:ident => $stem:literal, $kind:ident, [$($col:literal),*];)+) => {
        /// A source of a region folder, found by its file stem.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Source {
            $($(#[$meta])* $variant,)+
        }

        impl Source {
            /// Every source, in SPEC order.
            pub const ALL: &'static [Source] = &[$(Source::$variant,)+];

            /// The file stem that names the source (`forest_fires`).
            pub fn stem(self) -> &'static str {
                match self { $(Source::$variant => $stem,)+ }
            }

            /// The geometry the source carries.
            pub fn geometry(self) -> GeometryKind {
                match self { $(Source::$variant => GeometryKind::$kind,)+ }
            }

            /// Columns that must be present (SPEC names, before renaming).
            pub fn required_columns(self) -> &'static [&'static str] {
                match self { $(Source::$variant => &[$($col),*],)+ }
            }
        }
    };
}

sources! {
    /// Township polygons; the only mandatory source.
    Townships => "townships", Polygon, ["code", "name"];
    /// Population by township and year.
    Population => "population", Table, ["code", "year", "population"];
    /// Production-safety accidents.
    Incidents => "incidents", Point, ["id", "occurred_at", "category", "lon", "lat"];
    /// Fires, with fire-brigade dispatch fields.
    Fires => "fires", Point, ["id", "occurred_at", "lon", "lat"];
    /// Forest fires.
    ForestFires => "forest_fires", Point, ["id", "occurred_at", "lon", "lat"];
    /// Geological hazard events.
    GeohazardEvents => "geohazard_events", Point, ["id", "occurred_at", "type", "lon", "lat"];
    /// Registered geological hazard sites.
    GeohazardSites => "geohazard_sites", Point, ["id", "type", "lon", "lat"];
    /// The hidden-hazard ledger.
    HiddenHazards => "hidden_hazards", Point, ["id", "found_on", "level", "lon", "lat"];
    /// Enterprises by sector.
    Enterprises => "enterprises", Point, ["id", "sector", "lon", "lat"];
    /// Residential communities.
    Communities => "communities", Point, ["id", "lon", "lat"];
    /// Disaster shelters.
    Shelters => "shelters", Point, ["id", "lon", "lat"];
    /// Fire stations.
    FireStations => "fire_stations", Point, ["id", "lon", "lat"];
    /// Oil and gas pipelines.
    Pipelines => "pipelines", Line, [];
    /// Tourist scenic areas.
    ScenicAreas => "scenic_areas", Polygon, [];
    /// Counts already aggregated by area.
    AreaCounts => "area_counts", Table, ["code", "year", "measure", "count"];
    /// Elevation in metres.
    Dem => "dem", Raster, [];
    /// Forest fraction, 0 to 1.
    ForestCover => "forest_cover", Raster, [];
}

impl Source {
    /// Finds a source by its file stem.
    pub fn from_stem(stem: &str) -> Option<Source> {
        Source::ALL.iter().copied().find(|s| s.stem() == stem)
    }

    /// Whether the source records dated events (and so feeds the panel).
    pub fn is_event(self) -> bool {
        matches!(
            self,
            Source::Incidents | Source::Fires | Source::ForestFires | Source::GeohazardEvents
        )
    }
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.stem())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_are_unique_and_round_trip() {
        for &s in Source::ALL {
            assert_eq!(Source::from_stem(s.stem()), Some(s));
        }
        let mut stems: Vec<_> = Source::ALL.iter().map(|s| s.stem()).collect();
        stems.sort_unstable();
        stems.dedup();
        assert_eq!(stems.len(), Source::ALL.len());
    }

    #[test]
    fn point_sources_require_coordinates() {
        for &s in Source::ALL
            .iter()
            .filter(|s| s.geometry() == GeometryKind::Point)
        {
            assert!(s.required_columns().contains(&"lon"), "{s}");
            assert!(s.required_columns().contains(&"lat"), "{s}");
        }
    }
}
