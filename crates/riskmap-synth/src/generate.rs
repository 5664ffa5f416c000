//! Puts the pieces together: from a [`SynthConfig`] to a [`Region`].

use chrono::Datelike;
use geo::Geometry;
use polars::prelude::{
    Column, DataFrame, IntoColumn, NewChunkedArray, PlSmallStr, PolarsError, StringChunked,
};
use rayon::prelude::*;
use riskmap_domain::{Crs, GeohazardType, Raster, Source, VectorLayer};

use crate::assets::{self, TownAssets, SECTORS};
use crate::dirt::{self, DirtRecord};
use crate::events::{self, Draft, TownContext};
use crate::frame::Frame;
use crate::intensity::{self, MeasureSpec};
use crate::preset::Preset;
use crate::region::{build_towns, Boundaries, Located, Town};
use crate::table::{Table, Value};
use crate::terrain::Terrain;

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SynthConfig {
    /// Region size.
    pub preset: Preset,
    /// Seed of every random draw.
    pub seed: u64,
    /// First and last year of records (inclusive); the truth runs one year further.
    pub years: (i32, i32),
    /// How township borders look.
    pub boundaries: Boundaries,
    /// Emergent clusters injected at the end of the data (see [`crate::emergent`]).
    pub emergent: crate::emergent::Emergent,
}

impl SynthConfig {
    /// Whether the configuration can be generated: the year range must not
    /// be empty and must lie in 1900–2200.
    pub fn check(&self) -> Result<(), SynthError> {
        let (first, last) = self.years;
        if first > last || first < 1900 || last > 2200 {
            return Err(SynthError::Years(first, last));
        }
        Ok(())
    }
}

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    /// The year range is empty or outside 1900–2200.
    #[error("years {0}..{1}: the first year must not be after the last, and both must lie in 1900..2200")]
    Years(i32, i32),
    /// Building a table failed (a bug: the generator's columns are fixed).
    #[error("building table {table}: {source}")]
    Table {
        /// Which table.
        table: String,
        /// The polars error.
        source: PolarsError,
    },
}

/// The ground truth of a synthetic region (written under `truth/`).
#[derive(Debug, Clone)]
pub struct Truth {
    /// `code`, `year`, `month`, `measure`, `expected`: every township, month and
    /// measure from the first year to the year after the last.
    pub intensity: DataFrame,
    /// `source`, `row`, `id`, `code`, `dirt`: for every record of every point
    /// source, the township it was generated in (row 1 is the first data row).
    pub origins: DataFrame,
    /// `source`, `row`, `id`, `kind`, `detail`: every dirtied row.
    pub dirt: DataFrame,
    /// Per township and measure: exposure, covariate, spatial effect and trend deviation.
    pub effects: DataFrame,
    /// Per township: site, area and terrain covariates.
    pub townships: DataFrame,
    /// Emergent clusters injected at the end of the data: `cluster`,
    /// `measure`, `townships` (codes, `;`), `names`, `start`, `end`, `days`,
    /// `relative_risk`, `baseline_expected`, `injected` (empty for a null region).
    pub emergent: DataFrame,
    /// Generator parameters (preset, seed, years, measures, dirt rates).
    pub params: serde_json::Value,
}

/// A whole region, ready to be written as a SPEC region folder.
#[derive(Debug, Clone)]
pub struct Region {
    /// `townships`: `code`, `name`, `county`, `population` with polygons.
    pub townships: VectorLayer,
    /// Tables and point sources, each with its `Source`.
    pub tables: Vec<(Source, DataFrame)>,
    /// Line and polygon layers other than townships (pipelines, scenic areas).
    pub layers: Vec<(Source, VectorLayer)>,
    /// `dem` and `forest_cover`.
    pub rasters: Vec<(Source, Raster)>,
    /// What is known to be true.
    pub truth: Truth,
}

fn frame_of(table: &Table, name: &str) -> Result<DataFrame, SynthError> {
    table.to_frame().map_err(|source| SynthError::Table {
        table: name.to_owned(),
        source,
    })
}

fn date(d: chrono::NaiveDate) -> Value {
    d.format("%Y-%m-%d").to_string().into()
}

/// A large piece of a region, handed out by [`generate_each`] as soon as it is
/// built, so that a nation never has to be held whole.
#[derive(Debug, Clone)]
pub enum Piece {
    /// A whole table or point source (population first, then the event
    /// sources, the point assets and the hidden-hazard ledger).
    Table(Source, DataFrame),
    /// The next rows of [`Truth::origins`]: those of one point source.
    Origins(DataFrame),
    /// The next rows of [`Truth::intensity`]: those of a block of townships.
    Intensity(DataFrame),
}

/// Generates the region for `cfg`, whole, in memory.
pub fn generate(cfg: &SynthConfig) -> Result<Region, SynthError> {
    let mut tables = Vec::new();
    let (mut origins, mut intensity) = (Vec::new(), Vec::new());
    let mut region = generate_each(cfg, |piece| {
        match piece {
            Piece::Table(source, df) => tables.push((source, df)),
            Piece::Origins(df) => origins.push(df),
            Piece::Intensity(df) => intensity.push(df),
        }
        Ok::<_, SynthError>(())
    })?;
    region.tables = tables;
    region.truth.origins = stack(origins, "truth/origins")?;
    region.truth.intensity = stack(intensity, "truth/intensity")?;
    Ok(region)
}

/// One frame of the pieces' rows, in order, in one chunk.
fn stack(pieces: Vec<DataFrame>, table: &str) -> Result<DataFrame, SynthError> {
    let mut pieces = pieces.into_iter();
    let Some(mut all) = pieces.next() else {
        return Ok(DataFrame::empty());
    };
    for df in pieces {
        all.vstack_mut_owned(df)
            .map_err(|source| SynthError::Table {
                table: table.to_owned(),
                source,
            })?;
    }
    all.rechunk_mut_par();
    Ok(all)
}

/// Generates the region for `cfg` and hands its tables, origins and
/// intensity to `sink` piece by piece, in file order (the same draws as
/// [`generate`]). The returned region holds the rest: its `tables` are empty,
/// and so are its truth's `origins` and `intensity`.
pub fn generate_each<E: From<SynthError>>(
    cfg: &SynthConfig,
    mut sink: impl FnMut(Piece) -> Result<(), E>,
) -> Result<Region, E> {
    cfg.check()?;
    let (first, last) = cfg.years;
    let seed = cfg.seed;
    let p = cfg.preset.params();
    let frame = Frame::new(p.centre.0, p.centre.1);
    let terrain = Terrain::new(seed);

    let towns = build_towns(seed, &p, &frame, &terrain, cfg.boundaries);
    let town_assets: Vec<TownAssets> = towns
        .par_iter()
        .enumerate()
        .map(|(i, t)| assets::town_assets(seed, i, t, &frame, &terrain, cfg.years))
        .collect();
    // Population by township and year: the first table.
    let mut population = Table::new(&["code", "year", "population"]);
    for t in &towns {
        for year in first..=last {
            population.rows.push(vec![
                t.code.clone().into(),
                i64::from(year).into(),
                (t.population_in(year, last).round() as i64).into(),
            ]);
        }
    }
    sink(Piece::Table(
        Source::Population,
        frame_of(&population, "population")?,
    ))?;
    drop(population);

    let specs = intensity::measures();
    let effects = intensity::town_effects(seed, &specs, &towns, &town_assets, last);

    let drafts: Vec<Vec<Draft>> = towns
        .par_iter()
        .enumerate()
        .map(|(i, town)| {
            let ctx = TownContext {
                seed,
                index: i,
                town,
                assets: &town_assets[i],
                effects: effects.iter().map(|e| e[i]).collect(),
                frame: &frame,
                terrain: &terrain,
            };
            events::town_events(&ctx, &specs, cfg.years)
        })
        .collect();
    let (emergent, extra) = crate::emergent::inject(
        cfg.emergent,
        &crate::emergent::Inputs {
            seed,
            towns: &towns,
            assets: &town_assets,
            specs: &specs,
            effects: &effects,
            frame: &frame,
            terrain: &terrain,
            last_year: last,
        },
    );

    let mut dirt_rows = Table::new(&["source", "row", "id", "kind", "detail"]);
    let mut publish = |source: Source, mut table: Table, mut origin: Vec<usize>| -> Result<(), E> {
        let records = dirt::apply(seed, source, &mut table, &mut origin, &towns, &frame);
        let id = table.col("id");
        let mut kind_of = vec![""; table.rows.len()];
        for DirtRecord { row, kind, detail } in &records {
            kind_of[*row] = kind.key();
            dirt_rows.rows.push(vec![
                source.stem().into(),
                (*row as i64 + 1).into(),
                table.rows[*row][id].clone(),
                kind.key().into(),
                detail.clone().into(),
            ]);
        }
        sink(Piece::Origins(origins_of(
            source, &table, &origin, &kind_of, &towns,
        )?))?;
        sink(Piece::Table(source, frame_of(&table, source.stem())?))
    };

    // Event sources: sorted by time, then township, ids numbered per year.
    // Drafts are moved, not copied, into the tables: events are most of the
    // memory of a large region.
    let mut by_source: Vec<Vec<Draft>> = vec![Vec::new(); 4];
    let event_sources = [
        Source::Incidents,
        Source::Fires,
        Source::ForestFires,
        Source::GeohazardEvents,
    ];
    for d in drafts.into_iter().flatten().chain(extra) {
        let k = event_sources
            .iter()
            .position(|s| *s == d.source)
            .expect("an event source");
        by_source[k].push(d);
    }
    for (source, mut rows) in event_sources.into_iter().zip(by_source) {
        rows.sort_by(|a, b| a.when.cmp(&b.when).then(a.town.cmp(&b.town)));
        let mut table = Table::new(events::columns(source));
        let mut origin = Vec::with_capacity(rows.len());
        let mut counter = (0, 0);
        for mut d in rows {
            let year = d.when.year();
            counter = if counter.0 == year {
                (year, counter.1 + 1)
            } else {
                (year, 1)
            };
            d.row[0] = format!("{}{}{:06}", events::id_prefix(source), year, counter.1).into();
            table.rows.push(d.row);
            origin.push(d.town);
        }
        publish(source, table, origin)?;
    }

    // Point assets, numbered in township order.
    let point = |at: &Located| -> [Value; 2] { [at.lon.into(), at.lat.into()] };
    let assets_table =
        |source: Source,
         columns: &[&'static str],
         rows_of: &dyn Fn(&TownAssets) -> Vec<(Located, Vec<Value>)>| {
            let mut table = Table::new(columns);
            let mut origin = Vec::new();
            for (i, a) in town_assets.iter().enumerate() {
                for (at, rest) in rows_of(a) {
                    let n = table.rows.len() + 1;
                    let mut row = vec![format!("{}{:07}", events::id_prefix(source), n).into()];
                    row.extend(point(&at));
                    row.extend(rest);
                    table.rows.push(row);
                    origin.push(i);
                }
            }
            (table, origin)
        };
    let (t, o) = assets_table(
        Source::Enterprises,
        &[
            "id",
            "lon",
            "lat",
            "sector",
            "major_hazard_source",
            "employees",
            "opened_on",
        ],
        &|a| {
            a.enterprises
                .iter()
                .map(|e| {
                    (
                        e.at,
                        vec![
                            SECTORS[e.sector].0.into(),
                            e.major_hazard_source.into(),
                            e.employees.into(),
                            date(e.opened_on),
                        ],
                    )
                })
                .collect()
        },
    );
    publish(Source::Enterprises, t, o)?;
    let (t, o) = assets_table(
        Source::Communities,
        &["id", "lon", "lat", "old", "highrise", "households"],
        &|a| {
            a.communities
                .iter()
                .map(|c| {
                    (
                        c.at,
                        vec![c.old.into(), c.highrise.into(), c.households.into()],
                    )
                })
                .collect()
        },
    );
    publish(Source::Communities, t, o)?;
    let (t, o) = assets_table(Source::Shelters, &["id", "lon", "lat", "capacity"], &|a| {
        a.shelters
            .iter()
            .map(|f| (f.at, vec![f.capacity.into()]))
            .collect()
    });
    publish(Source::Shelters, t, o)?;
    let (t, o) = assets_table(
        Source::FireStations,
        &["id", "lon", "lat", "capacity"],
        &|a| {
            a.fire_stations
                .iter()
                .map(|f| (f.at, vec![f.capacity.into()]))
                .collect()
        },
    );
    publish(Source::FireStations, t, o)?;
    let (t, o) = assets_table(
        Source::GeohazardSites,
        &[
            "id",
            "lon",
            "lat",
            "type",
            "threatened_people",
            "threatened_property_10k_cny",
            "status",
        ],
        &|a| {
            a.geohazard_sites
                .iter()
                .map(|s| {
                    (
                        s.at,
                        vec![
                            GeohazardType::ALL[s.kind].key().into(),
                            s.threatened_people.into(),
                            s.threatened_property.into(),
                            s.status.into(),
                        ],
                    )
                })
                .collect()
        },
    );
    publish(Source::GeohazardSites, t, o)?;

    // The hidden-hazard ledger: by date found, numbered per year.
    {
        let mut rows: Vec<(usize, &assets::HiddenHazard)> = town_assets
            .iter()
            .enumerate()
            .flat_map(|(i, a)| a.hidden_hazards.iter().map(move |h| (i, h)))
            .collect();
        rows.sort_by(|a, b| a.1.found_on.cmp(&b.1.found_on).then(a.0.cmp(&b.0)));
        let mut table = Table::new(&[
            "id",
            "found_on",
            "level",
            "lon",
            "lat",
            "sector",
            "supervision",
            "deadline",
            "rectified_on",
        ]);
        let mut origin = Vec::new();
        let mut counter = (0, 0);
        for (i, h) in rows {
            let year = h.found_on.year();
            counter = if counter.0 == year {
                (year, counter.1 + 1)
            } else {
                (year, 1)
            };
            table.rows.push(vec![
                format!("YH{}{:06}", year, counter.1).into(),
                date(h.found_on),
                if h.major { "major" } else { "general" }.into(),
                h.at.lon.into(),
                h.at.lat.into(),
                h.sector.into(),
                h.supervision.into(),
                date(h.deadline),
                h.rectified_on.map(date).unwrap_or(Value::Null),
            ]);
            origin.push(i);
        }
        publish(Source::HiddenHazards, table, origin)?;
    }

    let township_layer = township_layer(&towns)?;
    let layers = other_layers(seed, &p.radius_km(), &towns, &frame, &terrain, cfg.years)?;
    let rasters = rasters(&towns, &frame, &terrain, p.raster_res_km);

    intensity_blocks(&specs, &effects, &towns, &town_assets, cfg.years, &mut sink)?;
    let truth = Truth {
        intensity: DataFrame::empty(),
        origins: DataFrame::empty(),
        dirt: frame_of(&dirt_rows, "truth/dirt")?,
        effects: effects_table(&specs, &effects, &towns)?,
        townships: townships_truth(&towns, &frame)?,
        emergent: emergent_table(&emergent, &towns)?,
        params: serde_json::json!({
            "generator": "riskmap-synth",
            "version": env!("CARGO_PKG_VERSION"),
            "preset": cfg.preset.name(),
            "seed": seed,
            "years": [first, last],
            "centre": [p.centre.0, p.centre.1],
            "frame": "equirectangular at the centre latitude; km_per_deg_lon = 111.320 cos(lat0), km_per_deg_lat = 110.574",
            "raster_res_km": p.raster_res_km,
            "measures": specs,
            "dirt_rates": dirt::Dirt::ALL.iter().map(|d| (d.key(), d.rate())).collect::<std::collections::BTreeMap<_, _>>(),
        }),
    };
    Ok(Region {
        townships: township_layer,
        tables: Vec::new(),
        layers,
        rasters,
        truth,
    })
}

fn township_layer(towns: &[Town]) -> Result<VectorLayer, SynthError> {
    let mut t = Table::new(&["code", "name", "county", "population"]);
    for town in towns {
        t.rows.push(vec![
            town.code.clone().into(),
            town.name.clone().into(),
            town.county.clone().into(),
            (town.population as i64).into(),
        ]);
    }
    // One geometry type per layer: multipolygons when any township has
    // more than one part.
    let single_parts = towns.iter().all(|t| t.parts.is_empty());
    Ok(VectorLayer {
        name: "townships".into(),
        crs: Crs::WGS84,
        geometries: towns
            .iter()
            .map(|t| {
                if single_parts {
                    Geometry::Polygon(t.polygon.clone())
                } else {
                    let mut parts = vec![t.polygon.clone()];
                    parts.extend(t.parts.iter().cloned());
                    Geometry::MultiPolygon(geo::MultiPolygon(parts))
                }
            })
            .collect(),
        attributes: frame_of(&t, "townships")?,
    })
}

fn other_layers(
    seed: u64,
    radius: &f64,
    towns: &[Town],
    frame: &Frame,
    terrain: &Terrain,
    years: (i32, i32),
) -> Result<Vec<(Source, VectorLayer)>, SynthError> {
    let pipes = assets::pipelines(seed, *radius, frame, years);
    let mut t = Table::new(&["id", "kind", "opened_on"]);
    for (i, p) in pipes.iter().enumerate() {
        t.rows.push(vec![
            format!("GD{:04}", i + 1).into(),
            p.kind.into(),
            date(p.opened_on),
        ]);
    }
    let pipelines = VectorLayer {
        name: "pipelines".into(),
        crs: Crs::WGS84,
        geometries: pipes
            .iter()
            .map(|p| Geometry::LineString(p.line.clone()))
            .collect(),
        attributes: frame_of(&t, "pipelines")?,
    };
    let areas = assets::scenic_areas(seed, towns, frame, terrain);
    let mut t = Table::new(&["id", "name", "annual_visitors", "township_code"]);
    for (i, a) in areas.iter().enumerate() {
        t.rows.push(vec![
            format!("JQ{:04}", i + 1).into(),
            a.name.clone().into(),
            a.annual_visitors.into(),
            a.code.clone().into(),
        ]);
    }
    let scenic = VectorLayer {
        name: "scenic_areas".into(),
        crs: Crs::WGS84,
        geometries: areas
            .iter()
            .map(|a| Geometry::Polygon(a.polygon.clone()))
            .collect(),
        attributes: frame_of(&t, "scenic_areas")?,
    };
    Ok(vec![
        (Source::Pipelines, pipelines),
        (Source::ScenicAreas, scenic),
    ])
}

/// DEM and forest cover on a lon/lat grid covering the region plus 2 km.
fn rasters(towns: &[Town], frame: &Frame, terrain: &Terrain, res_km: f64) -> Vec<(Source, Raster)> {
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for t in towns {
        x0 = x0.min(t.bbox_km.min().x);
        y0 = y0.min(t.bbox_km.min().y);
        x1 = x1.max(t.bbox_km.max().x);
        y1 = y1.max(t.bbox_km.max().y);
    }
    let (lon0, lat1) = frame.to_lonlat(x0 - 2.0, y1 + 2.0);
    let (lon0, lat1) = (crate::frame::round6(lon0), crate::frame::round6(lat1));
    let dx = res_km / frame.km_per_deg_lon;
    let dy = res_km / frame.km_per_deg_lat;
    let width = ((x1 - x0 + 4.0) / res_km).ceil() as usize;
    let height = ((y1 - y0 + 4.0) / res_km).ceil() as usize;
    let geo_transform = [lon0, dx, 0.0, lat1, 0.0, -dy];
    let grid = |f: &(dyn Fn(f64, f64) -> f64 + Sync), scale: f64| -> Vec<f32> {
        (0..height)
            .into_par_iter()
            .flat_map_iter(|row| {
                (0..width).map(move |col| {
                    let lon = lon0 + (col as f64 + 0.5) * dx;
                    let lat = lat1 - (row as f64 + 0.5) * dy;
                    let (x, y) = frame.to_km(lon, lat);
                    ((f(x, y) * scale).round() / scale) as f32
                })
            })
            .collect()
    };
    let raster = |data| Raster {
        width,
        height,
        geo_transform,
        crs: Crs::WGS84,
        nodata: None,
        data,
    };
    vec![
        (
            Source::Dem,
            raster(grid(&|x, y| terrain.elevation(x, y), 10.0)),
        ),
        (
            Source::ForestCover,
            raster(grid(&|x, y| terrain.forest(x, y), 1000.0)),
        ),
    ]
}

/// The panel's name of one geohazard type's events (`geohazard_events:landslide`).
fn geohazard_measure(kind: GeohazardType) -> &'static str {
    match kind {
        GeohazardType::Landslide => "geohazard_events:landslide",
        GeohazardType::Collapse => "geohazard_events:collapse",
        GeohazardType::DebrisFlow => "geohazard_events:debris_flow",
        GeohazardType::Subsidence => "geohazard_events:subsidence",
    }
}

/// Townships per piece of the intensity table: about 2M rows for seven years.
const INTENSITY_BLOCK: usize = 1024;

/// One township's rows of the intensity table: year, month, measure and
/// expected count, from the first year to the year after the last.
type TownIntensity = (Vec<i32>, Vec<i32>, Vec<&'static str>, Vec<f64>);

/// The intensity rows of township `i`, `t`.
fn town_intensity(
    specs: &[MeasureSpec],
    effects: &[Vec<intensity::TownEffect>],
    i: usize,
    t: &Town,
    a: &TownAssets,
    years: (i32, i32),
) -> TownIntensity {
    let incident_measures: Vec<usize> = specs
        .iter()
        .enumerate()
        .filter(|(_, s)| s.name.starts_with("incidents:"))
        .map(|(k, _)| k)
        .collect();
    let geohazards = specs.iter().position(|s| s.name == "geohazard_events");
    let type_shares = crate::assets::geohazard_type_shares(&a.geohazard_sites);
    let mut cols = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for year in years.0..=years.1 + 1 {
        let by_measure: Vec<[f64; 12]> = specs
            .iter()
            .enumerate()
            .map(|(k, s)| intensity::expected_by_month(s, &effects[k][i], t, a, year, years.1))
            .collect();
        #[allow(clippy::needless_range_loop)] // month is also a column value
        for month in 0..12 {
            let mut push = |name: &'static str, v: f64| {
                cols.0.push(year);
                cols.1.push(month as i32 + 1);
                cols.2.push(name);
                cols.3.push(v);
            };
            push(
                "incidents",
                incident_measures
                    .iter()
                    .map(|&k| by_measure[k][month])
                    .sum(),
            );
            for (k, s) in specs.iter().enumerate() {
                push(s.name, by_measure[k][month]);
            }
            // Each geohazard type is its own measure in the panel.
            if let Some(k) = geohazards {
                for (kind, share) in GeohazardType::ALL.iter().zip(type_shares) {
                    push(geohazard_measure(*kind), by_measure[k][month] * share);
                }
            }
        }
    }
    cols
}

/// The truth's intensity, block of townships by block, to `sink`.
fn intensity_blocks<E: From<SynthError>>(
    specs: &[MeasureSpec],
    effects: &[Vec<intensity::TownEffect>],
    towns: &[Town],
    a: &[TownAssets],
    years: (i32, i32),
    sink: &mut impl FnMut(Piece) -> Result<(), E>,
) -> Result<(), E> {
    for (b, block) in towns.chunks(INTENSITY_BLOCK).enumerate() {
        let per_town: Vec<TownIntensity> = block
            .par_iter()
            .enumerate()
            .map(|(j, t)| {
                let i = b * INTENSITY_BLOCK + j;
                town_intensity(specs, effects, i, t, &a[i], years)
            })
            .collect();
        let n: usize = per_town.iter().map(|c| c.0.len()).sum();
        let code = StringChunked::from_iter_values(
            PlSmallStr::from("code"),
            per_town
                .iter()
                .zip(block)
                .flat_map(|(c, t)| std::iter::repeat_n(t.code.as_str(), c.0.len())),
        );
        let mut year = Vec::with_capacity(n);
        let mut month = Vec::with_capacity(n);
        let mut measure = Vec::with_capacity(n);
        let mut expected = Vec::with_capacity(n);
        for c in per_town {
            year.extend(c.0);
            month.extend(c.1);
            measure.extend(c.2);
            expected.extend(c.3);
        }
        let df = DataFrame::new(
            n,
            vec![
                code.into_column(),
                Column::new(PlSmallStr::from("year"), year),
                Column::new(PlSmallStr::from("month"), month),
                Column::new(PlSmallStr::from("measure"), measure),
                Column::new(PlSmallStr::from("expected"), expected),
            ],
        )
        .map_err(|source| SynthError::Table {
            table: "truth/intensity".into(),
            source,
        })?;
        sink(Piece::Intensity(df))?;
    }
    Ok(())
}

/// The truth's origins of one point source's published rows: its stem, the
/// row number (1 is the first data row), the id as written, the township it
/// was generated in, and its dirt (empty if clean).
fn origins_of(
    source: Source,
    table: &Table,
    origin: &[usize],
    dirt: &[&'static str],
    towns: &[Town],
) -> Result<DataFrame, SynthError> {
    let id = table.col("id");
    let n = table.rows.len();
    DataFrame::new(
        n,
        vec![
            StringChunked::from_iter_values(
                PlSmallStr::from("source"),
                std::iter::repeat_n(source.stem(), n),
            )
            .into_column(),
            Column::new(PlSmallStr::from("row"), (1..=n as i64).collect::<Vec<_>>()),
            StringChunked::from_iter_options(
                PlSmallStr::from("id"),
                table.rows.iter().map(|r| r[id].as_text()),
            )
            .into_column(),
            StringChunked::from_iter_values(
                PlSmallStr::from("code"),
                origin.iter().map(|&t| towns[t].code.as_str()),
            )
            .into_column(),
            StringChunked::from_iter_values(PlSmallStr::from("dirt"), dirt.iter().copied())
                .into_column(),
        ],
    )
    .map_err(|source| SynthError::Table {
        table: "truth/origins".into(),
        source,
    })
}

fn effects_table(
    specs: &[MeasureSpec],
    effects: &[Vec<intensity::TownEffect>],
    towns: &[Town],
) -> Result<DataFrame, SynthError> {
    let mut t = Table::new(&[
        "code",
        "measure",
        "exposure",
        "covariate",
        "effect",
        "trend_dev",
    ]);
    for (i, town) in towns.iter().enumerate() {
        for (k, s) in specs.iter().enumerate() {
            let e = effects[k][i];
            t.rows.push(vec![
                town.code.clone().into(),
                s.name.into(),
                e.exposure.into(),
                e.covariate.into(),
                e.effect.into(),
                e.trend_dev.into(),
            ]);
        }
    }
    frame_of(&t, "truth/effects")
}

fn emergent_table(
    clusters: &[crate::emergent::Cluster],
    towns: &[Town],
) -> Result<DataFrame, SynthError> {
    let mut t = Table::new(&[
        "cluster",
        "measure",
        "townships",
        "names",
        "start",
        "end",
        "days",
        "relative_risk",
        "baseline_expected",
        "injected",
    ]);
    for (k, c) in clusters.iter().enumerate() {
        let join = |f: &dyn Fn(&Town) -> &str| {
            c.towns
                .iter()
                .map(|&i| f(&towns[i]))
                .collect::<Vec<_>>()
                .join(";")
        };
        t.rows.push(vec![
            (k as i64 + 1).into(),
            c.measure.into(),
            join(&|t| &t.code).into(),
            join(&|t| &t.name).into(),
            date(c.start),
            date(c.end),
            ((c.end - c.start).num_days() + 1).into(),
            c.relative_risk.into(),
            ((c.baseline * 1e4).round() / 1e4).into(),
            (c.injected as i64).into(),
        ]);
    }
    frame_of(&t, "truth/emergent_clusters")
}

fn townships_truth(towns: &[Town], frame: &Frame) -> Result<DataFrame, SynthError> {
    let mut t = Table::new(&[
        "code",
        "name",
        "kind",
        "site_lon",
        "site_lat",
        "area_km2",
        "elevation_m",
        "slope_deg",
        "steep_share",
        "forest",
        "mountain",
        "population",
        "growth",
        "outer",
        "neighbors",
    ]);
    for town in towns {
        let (lon, lat) = frame.to_lonlat(town.site[0], town.site[1]);
        let c = town.cov;
        t.rows.push(vec![
            town.code.clone().into(),
            town.name.clone().into(),
            format!("{:?}", town.kind).to_lowercase().into(),
            crate::frame::round6(lon).into(),
            crate::frame::round6(lat).into(),
            town.area_km2.into(),
            c.elevation_m.into(),
            c.slope_deg.into(),
            c.steep_share.into(),
            c.forest.into(),
            c.mountain.into(),
            (town.population as i64).into(),
            town.growth.into(),
            town.outer.into(),
            town.neighbors
                .iter()
                .map(|&j| towns[j].code.as_str())
                .collect::<Vec<_>>()
                .join(" ")
                .into(),
        ]);
    }
    frame_of(&t, "truth/townships")
}
