//! Behaviour of the scoring on seeded random regions: monotonicity (more
//! incidents never lower stock, more shelter capacity never lowers coping),
//! missing sources (dropped and renormalised, never scored as zero, and
//! reported), determinism whatever the thread count, the configuration's
//! errors, and the planner's phrases.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use riskmap_score::*;

fn series(rng: &mut ChaCha8Rng, years: usize, mean: f64) -> Series {
    let counts: Vec<f64> = (0..years)
        .map(|_| (rng.random::<f64>() * 2.0 * mean).round())
        .collect();
    let deaths = counts
        .iter()
        .map(|c| (c * rng.random::<f64>() * 0.2).round())
        .collect();
    let injuries = counts
        .iter()
        .map(|c| (c * rng.random::<f64>() * 0.5).round())
        .collect();
    Series {
        counts,
        deaths,
        injuries,
    }
}

/// A random region of `n` townships with every source present.
fn region(seed: u64, n: usize) -> RegionInput {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let years = 7;
    let townships = (0..n)
        .map(|i| {
            let pop = 5_000.0 + rng.random::<f64>() * 80_000.0;
            let mut hh = HiddenHazards {
                open_general: (rng.random::<f64>() * 30.0).round(),
                overdue_general: (rng.random::<f64>() * 5.0).round(),
                ..Default::default()
            };
            hh.open_major[rng.random_range(0..5)] = (rng.random::<f64>() * 2.0).round();
            hh.overdue_major[rng.random_range(0..5)] = (rng.random::<f64>() * 1.5).round();
            let (ff, ge) = (rng.random::<f64>() * 1.5, rng.random::<f64>());
            TownshipInput {
                code: format!("{:012}", 330_100_000_000u64 + i as u64),
                name: format!("T{i}"),
                population: Some(pop),
                area_km2: 20.0 + rng.random::<f64>() * 150.0,
                incidents: Some(Box::new(std::array::from_fn(|c| {
                    series(&mut rng, years, if c == 1 { pop / 20_000.0 } else { 0.4 })
                }))),
                fires: Some(series(&mut rng, years, pop / 1_500.0)),
                forest_fires: Some(series(&mut rng, years, ff)),
                geohazard_events: Some(series(&mut rng, years, ge)),
                geohazard_sites: Some(GeohazardSites {
                    active: (rng.random::<f64>() * 8.0).round(),
                    threatened_people: Some((rng.random::<f64>() * 400.0).round()),
                }),
                hidden_hazards: Some(hh),
                enterprises: Some(Enterprises {
                    total: 100.0,
                    high_risk: (rng.random::<f64>() * 20.0).round(),
                    major_hazard_sources: (rng.random::<f64>() * 3.0).round(),
                    new_high_risk: Some((rng.random::<f64>() * 4.0).round()),
                }),
                communities: Some(Communities {
                    total: 30.0,
                    old: Some((rng.random::<f64>() * 12.0).round()),
                    highrise: Some((rng.random::<f64>() * 10.0).round()),
                }),
                shelter_capacity: Some(rng.random::<f64>() * pop * 0.05),
                fire_station_distance_km: Some(rng.random::<f64>() * 15.0),
                pipelines_km: Some(rng.random::<f64>() * 20.0),
                scenic_visitors: Some((rng.random::<f64>() * 12.0).exp()),
                raster: Some(RasterInputs {
                    mean_elevation_m: Some(rng.random::<f64>() * 900.0),
                    steep_share: Some(rng.random::<f64>() * 0.4),
                    forest_cover: Some(rng.random::<f64>()),
                    forest_ha: Some(rng.random::<f64>() * 8_000.0),
                }),
            }
        })
        .collect();
    RegionInput {
        first_year: 2015,
        as_of_year: 2021,
        year_fraction: 11.0 / 12.0,
        townships,
    }
}

fn no_mc() -> ScoreConfig {
    ScoreConfig {
        uncertainty: UncertaintyConfig {
            draws: 0,
            ..Default::default()
        },
        ..Default::default()
    }
}

fn dim(s: &Scores, i: usize, d: Dimension) -> f64 {
    s.townships[i].dimension(d).unwrap()
}

#[test]
fn more_incidents_never_lower_stock() {
    for seed in 0..30u64 {
        let base = region(seed, 25);
        let before = score(&base, &no_mc()).unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(1000 + seed);
        let i = rng.random_range(0..25);
        let mut more = base.clone();
        let inc = more.townships[i].incidents.as_mut().unwrap();
        let (c, y) = (rng.random_range(0..7), rng.random_range(2..7));
        inc[c].counts[y] += 1.0 + (rng.random::<f64>() * 10.0).round();
        let after = score(&more, &no_mc()).unwrap();
        assert!(
            dim(&after, i, Dimension::Stock) >= dim(&before, i, Dimension::Stock) - 1e-9,
            "seed {seed}: stock of township {i} fell from {} to {}",
            dim(&before, i, Dimension::Stock),
            dim(&after, i, Dimension::Stock)
        );
        assert!(after.townships[i].raw[0].unwrap() > before.townships[i].raw[0].unwrap());
    }
}

#[test]
fn more_shelter_capacity_never_lowers_coping_and_more_fires_never_lower_fire() {
    for seed in 0..20u64 {
        let base = region(seed, 20);
        let before = score(&base, &no_mc()).unwrap();
        let i = (seed as usize * 7) % 20;
        let mut more = base.clone();
        *more.townships[i].shelter_capacity.as_mut().unwrap() *= 1.5;
        more.townships[i].fires.as_mut().unwrap().counts[6] += 20.0;
        let after = score(&more, &no_mc()).unwrap();
        assert!(
            dim(&after, i, Dimension::Coping) >= dim(&before, i, Dimension::Coping) - 1e-9,
            "seed {seed}"
        );
        assert!(
            dim(&after, i, Dimension::Fire) >= dim(&before, i, Dimension::Fire) - 1e-9,
            "seed {seed}"
        );
    }
}

#[test]
fn scores_stay_in_range_and_ranks_are_a_permutation() {
    let s = score(&region(3, 60), &ScoreConfig::default()).unwrap();
    let mut ranks: Vec<usize> = s.townships.iter().map(|t| t.rank).collect();
    ranks.sort();
    assert_eq!(ranks, (1..=60).collect::<Vec<_>>());
    for t in &s.townships {
        assert!((0.0..=10.0).contains(&t.risk));
        for d in t.dimensions {
            assert!((0.0..=10.0).contains(&d.unwrap()));
        }
        assert!(t.rank_p10 <= t.rank_p90 && t.rank_p10 >= 1.0 && t.rank_p90 <= 60.0);
        assert!((0.0..=1.0).contains(&t.p_red));
    }
    // Higher risk, better rank.
    let mut by_rank = s.townships.clone();
    by_rank.sort_by_key(|t| t.rank);
    assert!(by_rank.windows(2).all(|w| w[0].risk >= w[1].risk));
}

#[test]
fn a_missing_source_is_dropped_renormalised_and_reported() {
    let base = region(5, 30);
    let mut gone = base.clone();
    for t in &mut gone.townships {
        t.hidden_hazards = None;
    }
    let cfg = no_mc();
    let s = score(&gone, &cfg).unwrap();
    let note = s
        .missing
        .iter()
        .find(|m| m.indicator == "hidden_hazards")
        .expect("reported");
    assert!(note.everywhere && note.dimension == "stock" && note.townships == 30);
    assert_eq!(
        s.indicators
            .iter()
            .find(|r| r.id == "hidden_hazards")
            .unwrap()
            .status,
        "missing"
    );
    // Stock is the weighted mean of the indicators that are there: no zero
    // stands in for the missing ledger.
    let present: Vec<usize> = (0..INDICATORS.len())
        .filter(|&k| {
            INDICATORS[k].dimension == Dimension::Stock && INDICATORS[k].id != "hidden_hazards"
        })
        .collect();
    for t in &s.townships {
        let (num, den) = present.iter().fold((0.0, 0.0), |(a, b), &k| {
            (
                a + INDICATORS[k].weight * t.indicators[k].unwrap(),
                b + INDICATORS[k].weight,
            )
        });
        assert!((t.dimension(Dimension::Stock).unwrap() - num / den).abs() < 1e-9);
        assert!(t.missing.contains(&"hidden_hazards"));
    }

    // One township without a ledger: only it is affected, and it says so.
    let mut one = base.clone();
    one.townships[4].hidden_hazards = None;
    let s = score(&one, &cfg).unwrap();
    assert_eq!(
        s.missing
            .iter()
            .find(|m| m.indicator == "hidden_hazards")
            .unwrap()
            .townships,
        1
    );
    assert_eq!(s.townships[4].missing, vec!["hidden_hazards"]);
    assert!(s.townships[5].missing.is_empty());

    // A whole dimension missing: risk is combined over the others, and said.
    let mut no_natural = base.clone();
    for t in &mut no_natural.townships {
        (
            t.forest_fires,
            t.geohazard_events,
            t.geohazard_sites,
            t.raster,
        ) = (None, None, None, None);
    }
    let s = score(&no_natural, &cfg).unwrap();
    assert_eq!(s.dimensions_missing, vec!["natural"]);
    assert!(s
        .townships
        .iter()
        .all(|t| t.dimension(Dimension::Natural).is_none() && t.risk > 0.0));
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let r = region(11, 40);
    let cfg = ScoreConfig {
        uncertainty: UncertaintyConfig {
            draws: 64,
            ..Default::default()
        },
        ..Default::default()
    };
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
        .install(|| score(&r, &cfg).unwrap());
    let four = rayon::ThreadPoolBuilder::new()
        .num_threads(4)
        .build()
        .unwrap()
        .install(|| score(&r, &cfg).unwrap());
    assert_eq!(one, four);
    assert_eq!(one, score(&r, &cfg).unwrap());
    // Another seed gives other draws.
    let other = ScoreConfig {
        uncertainty: UncertaintyConfig {
            draws: 64,
            seed: 7,
            ..Default::default()
        },
        ..Default::default()
    };
    assert_ne!(
        one.townships.iter().map(|t| t.rank_p10).collect::<Vec<_>>(),
        score(&r, &other)
            .unwrap()
            .townships
            .iter()
            .map(|t| t.rank_p10)
            .collect::<Vec<_>>()
    );
}

#[test]
fn a_clear_leader_is_stably_red_and_a_tie_is_unstable() {
    let mut r = region(2, 20);
    // Township 0 tops every risk indicator and has the least coping.
    let t = &mut r.townships[0];
    for s in t.incidents.as_mut().unwrap().iter_mut() {
        s.counts.iter_mut().for_each(|c| *c += 40.0);
    }
    t.fires
        .as_mut()
        .unwrap()
        .counts
        .iter_mut()
        .for_each(|c| *c += 400.0);
    t.forest_fires
        .as_mut()
        .unwrap()
        .counts
        .iter_mut()
        .for_each(|c| *c += 30.0);
    t.geohazard_events
        .as_mut()
        .unwrap()
        .counts
        .iter_mut()
        .for_each(|c| *c += 30.0);
    t.hidden_hazards.as_mut().unwrap().overdue_major[1] = 12.0;
    t.shelter_capacity = Some(0.0);
    t.fire_station_distance_km = Some(40.0);
    for x in [&mut t.pipelines_km, &mut t.scenic_visitors] {
        *x = x.map(|v| v * 100.0);
    }
    let cfg = ScoreConfig {
        levels: LevelConfig {
            method: LevelMethod::Quantile,
            ..Default::default()
        },
        ..Default::default()
    };
    let s = score(&r, &cfg).unwrap();
    let lead = &s.townships[0];
    assert_eq!(
        (
            lead.rank,
            lead.rank_p10,
            lead.rank_p90,
            lead.p_red,
            lead.unstable
        ),
        (1, 1.0, 1.0, 1.0, false)
    );

    // Identical townships: ranks are decided by noise alone.
    let mut same = region(2, 20);
    let first = same.townships[0].clone();
    for (i, t) in same.townships.iter_mut().enumerate() {
        *t = TownshipInput {
            code: format!("{i:012}"),
            ..first.clone()
        };
    }
    same.townships[0].fires.as_mut().unwrap().counts[6] += 1.0; // some variation so fire scales fit
    let s = score(&same, &cfg).unwrap();
    assert!(
        s.townships.iter().filter(|t| t.unstable).count() >= 10,
        "{:?}",
        s.townships
            .iter()
            .map(|t| (t.rank_p10, t.rank_p90))
            .collect::<Vec<_>>()
    );
}

#[test]
fn reasons_speak_the_planners_language() {
    // Twenty townships alike but for their hidden-hazard ledgers.
    let mut r = region(9, 20);
    let first = r.townships[0].clone();
    for (i, t) in r.townships.iter_mut().enumerate() {
        *t = TownshipInput {
            code: format!("{i:012}"),
            hidden_hazards: Some(HiddenHazards {
                open_general: (i % 3) as f64,
                ..Default::default()
            }),
            ..first.clone()
        };
    }
    r.townships[3].hidden_hazards = Some(HiddenHazards {
        overdue_major: [0.0, 3.0, 0.0, 0.0, 0.0],
        open_general: 4.0,
        ..Default::default()
    });
    let s = score(&r, &no_mc()).unwrap();
    let reasons = &s.townships[3].reasons;
    let hh = reasons
        .iter()
        .find(|x| x.indicator == "hidden_hazards")
        .unwrap_or_else(|| panic!("{reasons:#?} {:?}", s.townships[3].indicators));
    assert_eq!(
        hh.en,
        "3 overdue major hidden hazards supervised by the city"
    );
    assert_eq!(hh.zh, "3处市级挂牌督办重大隐患逾期未整改");
    assert!(
        reasons.len() <= 3
            && reasons
                .windows(2)
                .all(|w| w[0].contribution >= w[1].contribution)
    );
    // The lowest-risk township has nothing, or little, pushing it up.
    let last = s.townships.iter().max_by_key(|t| t.rank).unwrap();
    assert!(
        last.reasons.iter().map(|r| r.contribution).sum::<f64>()
            < s.townships[3]
                .reasons
                .iter()
                .map(|r| r.contribution)
                .sum::<f64>()
    );
}

#[test]
fn configuration_errors_name_the_key() {
    let parse = |text: &str| toml::from_str::<ScoreConfig>(text);
    let e = parse("drws = 10").unwrap_err().to_string();
    assert!(e.contains("drws"), "{e}");
    let e = parse("[levels]\nmethod = \"jenks\"")
        .unwrap_err()
        .to_string();
    assert!(e.contains("jenks"), "{e}");
    let c = parse("[indicators]\nhiden_hazards = 2.0").unwrap();
    assert_eq!(
        c.check().unwrap_err().key,
        "scores.indicators.hiden_hazards"
    );
    let c = parse("[dimensions]\nnatural = -1").unwrap();
    assert_eq!(c.check().unwrap_err().key, "scores.dimensions.natural");
    let c = parse("[levels]\nbreaks = [3.0, 5.0, 6.5]").unwrap();
    assert_eq!(c.check().unwrap_err().key, "scores.levels.breaks");
    let c = parse("across = \"arithmetic\"\n[indicators]\nhidden_hazards = 2.0\n[uncertainty]\ndraws = 10\n[transforms]\npipelines = \"log\"").unwrap();
    assert!(c.check().is_ok());
    assert_eq!(
        (c.across, c.uncertainty.draws, c.indicator_weight(4)),
        (Mean::Arithmetic, 10, 2.0)
    );
    // Weights move the ranking: doubling a dimension's weight helps its leader.
    let r = region(4, 30);
    let base = score(&r, &no_mc()).unwrap();
    let natural_leader = (0..30)
        .max_by(|&a, &b| {
            dim(&base, a, Dimension::Natural).total_cmp(&dim(&base, b, Dimension::Natural))
        })
        .unwrap();
    let mut heavy = no_mc();
    heavy.dimensions.insert("natural".into(), 5.0);
    let s = score(&r, &heavy).unwrap();
    assert!(s.townships[natural_leader].rank <= base.townships[natural_leader].rank);
}
