//! The default bandwidth: ArcGIS's spatial variant of Silverman's rule of
//! thumb, as the Kernel Density tool of ArcGIS (10.2.1 and later, and ArcGIS
//! Pro) computes its default search radius.
//!
//! Esri, "How Kernel Density works" (ArcMap 10.6 tool reference,
//! <https://desktop.arcgis.com/en/arcmap/10.6/tools/spatial-analyst-toolbox/how-kernel-density-works.htm>,
//! and the same page for ArcGIS Pro):
//!
//! ```text
//! search radius = 0.9 · min(SD, sqrt(1 / ln 2) · Dm) · n^(-0.2)
//! ```
//!
//! 1. the (weighted) mean centre (x̄, ȳ) of the points;
//! 2. the distance of every point from it;
//! 3. `Dm`, the (weighted) median of these distances;
//! 4. `SD`, the (weighted) standard distance
//!    `sqrt(Σ wᵢ((xᵢ-x̄)² + (yᵢ-ȳ)²) / Σ wᵢ)` (Esri's Standard Distance tool,
//!    population form: divided by the total weight, not by n - 1);
//! 5. `n` the number of points, or the sum of the weights when weighted.
//!
//! `sqrt(1/ln 2)·Dm` is a robust stand-in for `SD`: for a circular normal
//! cloud the median distance is `SD·sqrt(ln 2)`, so both terms agree there and
//! the median one wins when outliers inflate `SD`, exactly as `IQR/1.34`
//! does in Silverman's one-dimensional rule.
//!
//! The weighted median is the smallest distance at which the cumulative
//! weight reaches half of the total; without weights it is the ordinary
//! median (the mean of the two middle distances for an even count).
//!
//! The rule is Silverman's rule for a Gaussian's standard deviation; ArcGIS
//! uses it as the quartic kernel's radius. riskmap uses the one number for
//! both kernels in the way each names its bandwidth: the quartic's radius `h`
//! (as ArcGIS) and the Gaussian's standard deviation `σ` (as Silverman).

/// ArcGIS's default search radius for `points` (metres in, metres out), or
/// `None` when it is undefined: fewer than two points (or a total weight
/// below 2), or all points (of positive weight) at one place.
///
/// # Panics
/// If `weights` is given with a length other than `points.len()`.
pub fn arcgis_default(points: &[[f64; 2]], weights: Option<&[f64]>) -> Option<f64> {
    if let Some(w) = weights {
        assert_eq!(w.len(), points.len(), "one weight per point");
    }
    let weight = |i: usize| weights.map_or(1.0, |w| w[i]);
    let n: f64 = (0..points.len()).map(weight).sum();
    if n.is_nan() || n < 2.0 {
        return None;
    }
    let (mut sx, mut sy) = (0.0, 0.0);
    for (i, p) in points.iter().enumerate() {
        sx += weight(i) * p[0];
        sy += weight(i) * p[1];
    }
    let (cx, cy) = (sx / n, sy / n);
    let mut dist: Vec<(f64, f64)> = points
        .iter()
        .enumerate()
        .map(|(i, p)| ((p[0] - cx).hypot(p[1] - cy), weight(i)))
        .collect();
    let sd = (dist.iter().map(|&(d, w)| w * d * d).sum::<f64>() / n).sqrt();
    dist.sort_by(|a, b| a.0.total_cmp(&b.0));
    let median = match weights {
        None => {
            let m = dist.len() / 2;
            if dist.len() % 2 == 1 {
                dist[m].0
            } else {
                0.5 * (dist[m - 1].0 + dist[m].0)
            }
        }
        Some(_) => {
            let mut acc = 0.0;
            dist.iter()
                .find(|&&(_, w)| {
                    acc += w;
                    acc >= 0.5 * n
                })?
                .0
        }
    };
    let radius = 0.9 * sd.min((1.0 / std::f64::consts::LN_2).sqrt() * median) * n.powf(-0.2);
    (radius > 0.0 && radius.is_finite()).then_some(radius)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn square_corners_by_hand() {
        // Four corners of a 2 m square: every point is sqrt(2) m from the
        // centre, so SD = Dm = sqrt(2) and sqrt(1/ln 2)·Dm > SD.
        let pts = [[0.0, 0.0], [2.0, 0.0], [0.0, 2.0], [2.0, 2.0]];
        let expected = 0.9 * 2f64.sqrt() * 4f64.powf(-0.2);
        assert!((arcgis_default(&pts, None).unwrap() - expected).abs() < 1e-12);
        // Weights of 2 each double n but leave the centre and distances.
        let expected_w = 0.9 * 2f64.sqrt() * 8f64.powf(-0.2);
        assert!((arcgis_default(&pts, Some(&[2.0; 4])).unwrap() - expected_w).abs() < 1e-12);
    }

    #[test]
    fn an_outlier_moves_sd_but_not_the_median_term() {
        // Nine points on a unit circle around the origin plus one far away.
        let mut pts: Vec<[f64; 2]> = (0..9)
            .map(|k| k as f64 * 0.7)
            .map(|a: f64| [a.cos(), a.sin()])
            .collect();
        pts.push([1000.0, 0.0]);
        let r = arcgis_default(&pts, None).unwrap();
        // The mean centre is at (~100, 0); the median distance ~ 100 while
        // SD ~ 300, so the median term sets the radius.
        let sd_term = 0.9 * 300.0 * 10f64.powf(-0.2);
        assert!(r < 0.5 * sd_term, "radius {r}");
    }

    #[test]
    fn degenerate_inputs_have_no_bandwidth() {
        assert_eq!(arcgis_default(&[], None), None);
        assert_eq!(arcgis_default(&[[1.0, 1.0]], None), None);
        assert_eq!(arcgis_default(&[[1.0, 1.0], [1.0, 1.0]], None), None);
        assert_eq!(
            arcgis_default(&[[1.0, 1.0], [2.0, 1.0]], Some(&[0.5, 0.5])),
            None
        );
    }
}
