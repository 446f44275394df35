//! Stain normalisation: Reinhard (colour statistics in lαβ space, fast) and Macenko (the two
//! stains' optical-density vectors and strengths). Each method fits a [`StainFit`] to pixels: the
//! training tiles give the target a package stores, a slide's tiles give its source, and a
//! [`StainTransform`] maps pixels from a source to a target.

use serde::{Deserialize, Serialize};

use crate::dataset::stain::{density, intensity, inverse};
use crate::{Result, TesseraError};

/// Which stain normalisation training fits and inference applies.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StainMethod {
    /// None: pixels as read.
    #[default]
    None,
    /// Reinhard et al. 2001: each lαβ channel's mean and standard deviation matched.
    Reinhard,
    /// Macenko et al. 2009: stain vectors and strengths estimated and matched.
    Macenko,
}

impl StainMethod {
    /// Parses `none`, `reinhard` or `macenko`; the error lists the choices.
    pub fn parse(text: &str) -> std::result::Result<Self, String> {
        match text {
            "none" => Ok(Self::None),
            "reinhard" => Ok(Self::Reinhard),
            "macenko" => Ok(Self::Macenko),
            other => Err(format!("stain normalisation {other:?} is not one of none, reinhard, macenko")),
        }
    }

    /// Whether this is [`StainMethod::None`].
    pub fn is_none(&self) -> bool {
        *self == Self::None
    }
}

/// What a method measured on some pixels.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum StainFit {
    /// Mean and standard deviation of each lαβ channel over the tissue pixels.
    Reinhard {
        /// Per-channel mean.
        mean: [f32; 3],
        /// Per-channel standard deviation.
        std: [f32; 3],
    },
    /// Unit optical-density vectors of haematoxylin and eosin, and each stain's 99th-percentile
    /// concentration.
    Macenko {
        /// Haematoxylin's, then eosin's, RGB optical-density vector.
        stains: [[f32; 3]; 2],
        /// Haematoxylin's and eosin's 99th-percentile concentration.
        max_concentration: [f32; 2],
    },
}

/// Optical density (log₁₀) below which a channel counts as background; 0.15 in natural-log units,
/// Macenko's threshold.
const BACKGROUND_DENSITY: f32 = 0.065;
/// The most pixels a fit reads (evenly spaced): enough for stable statistics.
const MAX_FIT_PIXELS: usize = 1 << 20;
/// The angle percentile bounding the stain plane (Macenko's α, in percent).
const ANGLE_PERCENTILE: f32 = 1.0;
/// The concentration percentile taken as a stain's strength.
const CONCENTRATION_PERCENTILE: f32 = 99.0;
/// The fewest tissue pixels a fit accepts.
const MIN_TISSUE_PIXELS: usize = 64;

/// RGB to LMS cone space (Reinhard et al. 2001).
const RGB_TO_LMS: [[f32; 3]; 3] = [[0.3811, 0.5783, 0.0402], [0.1967, 0.7244, 0.0782], [0.0241, 0.1288, 0.8444]];

/// Whether a pixel is tissue: every channel absorbs.
fn is_tissue(rgb: &[u8]) -> bool {
    density(rgb).iter().all(|&od| od >= BACKGROUND_DENSITY)
}

/// The tissue pixels among packed RGB `pixels`, at most [`MAX_FIT_PIXELS`] evenly spaced; the
/// error names `what` the pixels are.
fn tissue(pixels: &[u8], what: &str) -> Result<Vec<[u8; 3]>> {
    let count = pixels.len() / 3;
    let step = count.div_ceil(MAX_FIT_PIXELS).max(1);
    let found: Vec<[u8; 3]> =
        pixels.chunks_exact(3).step_by(step).filter(|p| is_tissue(p)).map(|p| [p[0], p[1], p[2]]).collect();
    if found.len() < MIN_TISSUE_PIXELS {
        return Err(TesseraError::invalid(format!(
            "stain normalisation: {what} have {} stained pixels, too few to fit to (at least {MIN_TISSUE_PIXELS})",
            found.len()
        )));
    }
    Ok(found)
}

/// The matrix `m` as column-vector transform: `m · v`.
fn apply(m: &[[f32; 3]; 3], v: [f32; 3]) -> [f32; 3] {
    [0, 1, 2].map(|r| m[r][0] * v[0] + m[r][1] * v[1] + m[r][2] * v[2])
}

/// lαβ of an RGB pixel: log₁₀ LMS decorrelated.
fn lab(rgb: &[u8]) -> [f32; 3] {
    let lms = apply(&RGB_TO_LMS, [0, 1, 2].map(|c| rgb[c].max(1) as f32));
    let [l, m, s] = lms.map(|v| v.max(1e-3).log10());
    [(l + m + s) / 3f32.sqrt(), (l + m - 2.0 * s) / 6f32.sqrt(), (l - m) / 2f32.sqrt()]
}

/// The RGB pixel of lαβ `v` (the inverse of [`lab`]), written into `rgb`.
fn rgb_of(v: [f32; 3], lms_to_rgb: &[[f32; 3]; 3], rgb: &mut [u8]) {
    let (a, b, c) = (v[0] / 3f32.sqrt(), v[1] / 6f32.sqrt(), v[2] / 2f32.sqrt());
    let lms = [a + b + c, a + b - c, a - 2.0 * b].map(|v| 10f32.powf(v));
    let out = apply(lms_to_rgb, lms);
    for c in 0..3 {
        rgb[c] = out[c].round().clamp(0.0, 255.0) as u8;
    }
}

/// The `percent` percentile of `values` (reordered).
fn percentile(values: &mut [f32], percent: f32) -> f32 {
    let at = ((percent / 100.0) * (values.len() - 1) as f32).round() as usize;
    *values.select_nth_unstable_by(at, f32::total_cmp).1
}

/// Eigenvalues and unit eigenvectors (columns) of the symmetric 3×3 `m`, by Jacobi rotations.
fn eigen_symmetric(mut m: [[f64; 3]; 3]) -> ([f64; 3], [[f64; 3]; 3]) {
    let mut v = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];
    for _ in 0..50 {
        let (p, q) = [(0, 1), (0, 2), (1, 2)]
            .into_iter()
            .max_by(|a, b| m[a.0][a.1].abs().total_cmp(&m[b.0][b.1].abs()))
            .unwrap_or((0, 1));
        if m[p][q].abs() < 1e-15 {
            break;
        }
        let theta = 0.5 * (2.0 * m[p][q]).atan2(m[q][q] - m[p][p]);
        let (s, c) = theta.sin_cos();
        let mut rotated = m;
        for k in 0..3 {
            rotated[k][p] = c * m[k][p] - s * m[k][q];
            rotated[k][q] = s * m[k][p] + c * m[k][q];
        }
        let copy = rotated;
        for k in 0..3 {
            rotated[p][k] = c * copy[p][k] - s * copy[q][k];
            rotated[q][k] = s * copy[p][k] + c * copy[q][k];
        }
        m = rotated;
        for row in v.iter_mut() {
            let (a, b) = (row[p], row[q]);
            row[p] = c * a - s * b;
            row[q] = s * a + c * b;
        }
    }
    ([m[0][0], m[1][1], m[2][2]], v)
}

/// Least-squares concentrations of the two `stains` in optical density `od`.
#[derive(Clone, Debug)]
struct Unmixer {
    stains: [[f32; 3]; 2],
    gram_inverse: [[f32; 2]; 2],
}

impl Unmixer {
    fn new(stains: [[f32; 3]; 2]) -> Result<Self> {
        let dot = |a: &[f32; 3], b: &[f32; 3]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>();
        let (g00, g01, g11) = (dot(&stains[0], &stains[0]), dot(&stains[0], &stains[1]), dot(&stains[1], &stains[1]));
        let det = g00 * g11 - g01 * g01;
        if !(det.is_finite() && det > 1e-6) {
            return Err(TesseraError::invalid(format!(
                "stain normalisation: the two stain vectors {stains:?} are (nearly) parallel; the pixels hold one stain only"
            )));
        }
        Ok(Self { stains, gram_inverse: [[g11 / det, -g01 / det], [-g01 / det, g00 / det]] })
    }

    fn concentrations(&self, od: [f32; 3]) -> [f32; 2] {
        let p = self.stains.map(|s| s[0] * od[0] + s[1] * od[1] + s[2] * od[2]);
        let g = &self.gram_inverse;
        [g[0][0] * p[0] + g[0][1] * p[1], g[1][0] * p[0] + g[1][1] * p[1]]
    }
}

impl StainFit {
    /// Fits `method` to packed RGB `pixels` (only stained pixels count); `what` names them in
    /// errors. [`StainMethod::None`] fits nothing.
    pub fn fit(method: StainMethod, pixels: &[u8], what: &str) -> Result<Option<Self>> {
        match method {
            StainMethod::None => Ok(None),
            StainMethod::Reinhard => Ok(Some(Self::reinhard(&tissue(pixels, what)?))),
            StainMethod::Macenko => Self::macenko(&tissue(pixels, what)?).map(Some),
        }
    }

    /// The method that made this fit.
    pub fn method(&self) -> StainMethod {
        match self {
            Self::Reinhard { .. } => StainMethod::Reinhard,
            Self::Macenko { .. } => StainMethod::Macenko,
        }
    }

    fn reinhard(tissue: &[[u8; 3]]) -> Self {
        let n = tissue.len() as f64;
        let (mut sum, mut squares) = ([0f64; 3], [0f64; 3]);
        for pixel in tissue {
            for (c, v) in lab(pixel).into_iter().enumerate() {
                sum[c] += f64::from(v);
                squares[c] += f64::from(v) * f64::from(v);
            }
        }
        let mean = sum.map(|s| s / n);
        let std = [0, 1, 2].map(|c| (squares[c] / n - mean[c] * mean[c]).max(0.0).sqrt().max(1e-4) as f32);
        Self::Reinhard { mean: mean.map(|m| m as f32), std }
    }

    fn macenko(tissue: &[[u8; 3]]) -> Result<Self> {
        let od: Vec<[f32; 3]> = tissue.iter().map(|p| density(p)).collect();
        let n = od.len() as f64;
        let mean = [0, 1, 2].map(|c| od.iter().map(|v| f64::from(v[c])).sum::<f64>() / n);
        let mut covariance = [[0f64; 3]; 3];
        for v in &od {
            let d = [0, 1, 2].map(|c| f64::from(v[c]) - mean[c]);
            for r in 0..3 {
                for c in 0..3 {
                    covariance[r][c] += d[r] * d[c] / n;
                }
            }
        }
        let (values, vectors) = eigen_symmetric(covariance);
        let mut order = [0, 1, 2];
        order.sort_by(|&a, &b| values[b].total_cmp(&values[a]));
        // The plane of the two largest directions, each pointing into positive density.
        let axis = |k: usize| {
            let e = [0, 1, 2].map(|r| vectors[r][order[k]] as f32);
            if e.iter().sum::<f32>() < 0.0 {
                e.map(|v| -v)
            } else {
                e
            }
        };
        let (e1, e2) = (axis(0), axis(1));
        let dot = |a: &[f32; 3], b: &[f32; 3]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>();
        let mut angles: Vec<f32> = od.iter().map(|v| dot(v, &e2).atan2(dot(v, &e1))).collect();
        let low = percentile(&mut angles, ANGLE_PERCENTILE);
        let high = percentile(&mut angles, 100.0 - ANGLE_PERCENTILE);
        let direction = |phi: f32| {
            let v = [0, 1, 2].map(|c| e1[c] * phi.cos() + e2[c] * phi.sin());
            let norm = dot(&v, &v).sqrt().max(1e-6);
            v.map(|x| x / norm)
        };
        let (a, b) = (direction(low), direction(high));
        // Haematoxylin absorbs red the most.
        let stains = if a[0] > b[0] { [a, b] } else { [b, a] };
        let unmixer = Unmixer::new(stains)?;
        let mut concentrations: [Vec<f32>; 2] = [Vec::with_capacity(od.len()), Vec::with_capacity(od.len())];
        for v in &od {
            let c = unmixer.concentrations(*v);
            concentrations[0].push(c[0]);
            concentrations[1].push(c[1]);
        }
        let max_concentration = concentrations.map(|mut c| percentile(&mut c, CONCENTRATION_PERCENTILE));
        if max_concentration.iter().any(|m| !(m.is_finite() && *m > 1e-4)) {
            return Err(TesseraError::invalid(format!(
                "stain normalisation: a stain is absent from the pixels (99th-percentile concentrations {max_concentration:?})"
            )));
        }
        Ok(Self::Macenko { stains, max_concentration })
    }

    /// Checks that every value is finite and every spread positive; the error names the field.
    pub fn validate(&self) -> Result<()> {
        let refuse = |problem: &str| Err(TesseraError::IncompatibleModel(format!("shift.stain: {problem}")));
        match self {
            Self::Reinhard { mean, std } => {
                if mean.iter().chain(std).any(|v| !v.is_finite()) || std.iter().any(|s| *s <= 0.0) {
                    return refuse("Reinhard mean and std must be finite, std positive");
                }
            }
            Self::Macenko { stains, max_concentration } => {
                if stains.iter().flatten().chain(max_concentration).any(|v| !v.is_finite())
                    || max_concentration.iter().any(|m| *m <= 0.0)
                {
                    return refuse("Macenko stain vectors and concentrations must be finite, concentrations positive");
                }
                Unmixer::new(*stains).map_err(|e| TesseraError::IncompatibleModel(format!("shift.stain: {e}")))?;
            }
        }
        Ok(())
    }
}

/// A map of pixels from one stain appearance (a slide's) to another (the training tiles').
#[derive(Clone, Debug)]
pub struct StainTransform(Map);

#[derive(Clone, Debug)]
enum Map {
    /// Each lαβ channel standardised with the source's statistics, then given the target's:
    /// `(v − source mean) × scale + target mean`.
    Reinhard { source_mean: [f32; 3], scale: [f32; 3], target_mean: [f32; 3], lms_to_rgb: [[f32; 3]; 3] },
    /// Concentrations of the source stains, scaled to the target's strengths, mixed with the
    /// target stains.
    Macenko { source: Unmixer, scale: [f32; 2], target: [[f32; 3]; 2] },
}

impl StainTransform {
    /// The map from `source` to `target`; both must come from the same method.
    pub fn new(source: &StainFit, target: &StainFit) -> Result<Self> {
        match (source, target) {
            (StainFit::Reinhard { mean: sm, std: ss }, StainFit::Reinhard { mean: tm, std: ts }) => {
                Ok(Self(Map::Reinhard {
                    source_mean: *sm,
                    scale: [0, 1, 2].map(|c| ts[c] / ss[c]),
                    target_mean: *tm,
                    lms_to_rgb: inverse(RGB_TO_LMS),
                }))
            }
            (
                StainFit::Macenko { stains, max_concentration: sc },
                StainFit::Macenko { stains: target, max_concentration: tc },
            ) => Ok(Self(Map::Macenko {
                source: Unmixer::new(*stains)?,
                scale: [tc[0] / sc[0], tc[1] / sc[1]],
                target: *target,
            })),
            _ => Err(TesseraError::invalid(format!(
                "stain normalisation: a {:?} fit cannot map to a {:?} fit",
                source.method(),
                target.method()
            ))),
        }
    }

    /// Maps every pixel of packed RGB `pixels` in place.
    pub fn apply(&self, pixels: &mut [u8]) {
        match &self.0 {
            Map::Reinhard { source_mean, scale, target_mean, lms_to_rgb } => {
                for rgb in pixels.chunks_exact_mut(3) {
                    let v = lab(rgb);
                    let mapped = [0, 1, 2].map(|c| (v[c] - source_mean[c]) * scale[c] + target_mean[c]);
                    rgb_of(mapped, lms_to_rgb, rgb);
                }
            }
            Map::Macenko { source, scale, target } => {
                for rgb in pixels.chunks_exact_mut(3) {
                    let c = source.concentrations(density(rgb));
                    let (h, e) = (c[0] * scale[0], c[1] * scale[1]);
                    let od = [0, 1, 2].map(|k| h * target[0][k] + e * target[1][k]);
                    intensity(od, rgb);
                }
            }
        }
    }
}
