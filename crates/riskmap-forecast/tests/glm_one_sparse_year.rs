//! The count regressions on one year of a sparse measure of the nation
//! preset (`riskmap synth --preset nation --seed 2021`, the first backtest
//! window of one measure: 40,714 townships, 98 % of them without an event,
//! at most 3 events). Full IRLS steps diverged on it: the negative binomial
//! predicted 3.7·10³⁷ events for a township, the Poisson 1.2·10⁵, and the
//! forecast stage spent hours walking such distributions. With step-halving
//! both stay near the counts' scale.
//!
//! `data/nation_one_sparse_year.csv.gz`: y (the year's count), e0 and e1
//! (population in that year and the next, the exposure) and z (the
//! township's covariate), one row per township.

use std::io::Read;

use riskmap_forecast::Panel;

fn panel() -> Panel {
    let mut text = String::new();
    flate2::read::GzDecoder::new(&include_bytes!("data/nation_one_sparse_year.csv.gz")[..])
        .read_to_string(&mut text)
        .expect("the fixture is gzip'd UTF-8");
    let (mut counts, mut exposure, mut covariates) = (vec![], vec![], vec![]);
    for line in text.lines().skip(1) {
        let f: Vec<f64> = line
            .split(',')
            .map(|x| x.parse().expect("a number"))
            .collect();
        counts.push(vec![f[0]]);
        exposure.push(vec![f[1], f[2]]);
        covariates.push(vec![f[3]]);
    }
    let mut p = Panel::from_counts(2019, counts);
    p.exposure = Some(exposure);
    p.covariates = covariates;
    p
}

#[test]
fn regressions_on_one_sparse_year_stay_near_the_counts() {
    let p = panel();
    assert_eq!(p.counts.len(), 40_714);
    let observed_max = p.counts.iter().map(|c| c[0]).fold(0.0, f64::max);
    assert_eq!(observed_max, 3.0);
    for model in ["glm_poisson", "glm_negbin"] {
        let f = riskmap_forecast::models::by_name(model)
            .unwrap()
            .forecast(&p.history(1));
        let means: Vec<f64> = f.iter().map(|d| d.mean()).collect();
        let top = means.iter().cloned().fold(0.0, f64::max);
        let total: f64 = means.iter().sum();
        // 704 events this year; a forecast total within a factor of 3 and no
        // township above 1,000 (it was 10³⁷ before step-halving).
        assert!(top < 1_000.0, "{model}: largest mean {top}");
        assert!(
            (704.0 / 3.0..704.0 * 3.0).contains(&total),
            "{model}: total {total}"
        );
        // Each summary walks a short CDF.
        for d in f.iter().take(2_000) {
            let s = d.summary(Some(0.0));
            assert!(s.crps.is_finite() && s.p90 < 10_000.0);
        }
    }
}
