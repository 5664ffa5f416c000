//! riskmap's spatial core: in-memory geometry algorithms on lon/lat data,
//! parallel with rayon, free of file formats.
//!
//! - [`join`]: points to township polygons through an R-tree, with an exact
//!   point-in-polygon test, SPEC's border rule (a point on a shared border goes
//!   to the township with the smaller code) and snapping of points a little
//!   outside the region.
//! - [`grid`]: a lookup grid that answers most points with one array read.
//! - [`pip`]: point in polygon with edges bucketed by band, for the join.
//! - [`valid`]: a fast sufficient test of polygon validity (sweep line), so
//!   that geo's O(n²) check runs only where there is doubt.
//!
//! ```
//! use geo::{polygon, MultiPolygon};
//! use riskmap_spatial::join::{Assignment, TownshipIndex};
//!
//! let west = polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 1.0)];
//! let east = polygon![(x: 1.0, y: 0.0), (x: 2.0, y: 0.0), (x: 2.0, y: 1.0), (x: 1.0, y: 1.0)];
//! let index = TownshipIndex::new(vec![MultiPolygon(vec![west]), MultiPolygon(vec![east])]);
//! assert_eq!(index.assign([0.5, 0.5], 100.0), Assignment::Inside(0));
//! // On the shared border: the first township (the smaller code) wins.
//! assert_eq!(index.assign([1.0, 0.5], 100.0), Assignment::Inside(0));
//! assert!(matches!(index.assign([2.0005, 0.5], 100.0), Assignment::Snapped(1, _)));
//! assert!(matches!(index.assign([3.0, 0.5], 100.0), Assignment::Outside(_)));
//! ```

pub mod grid;
pub mod join;
pub mod pip;
pub mod valid;
