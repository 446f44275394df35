//! A package's model ready to run: its input and output checked against the metadata, and the
//! tile preprocessing (normalisation) the metadata asks for.

use std::path::Path;

use super::precision::{self, Chosen, Precision};
use crate::graph::signature as onnx;
use crate::model::{Package, Task};
use crate::runtime::{Device, Model, Optimisation, Placement, Runtime, Tensor};
use crate::shift::{StainFit, StainMethod, StainTransform};
use crate::slide::RgbImage;
use crate::{Result, TesseraError};

/// What the model's output means, found by running it once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputKind {
    /// `[N, classes]`: class probabilities per tile.
    Classification,
    /// `[N, classes, height, width]`: class probabilities per output pixel.
    Segmentation {
        /// Output rows per tile.
        height: usize,
        /// Output columns per tile.
        width: usize,
    },
}

/// A validated model with its preprocessing.
pub struct Predictor {
    model: Model,
    package: Package,
    chosen: Chosen,
    output: OutputKind,
    /// Per channel: model value = pixel × scale + offset.
    scale: [f32; 3],
    offset: [f32; 3],
    /// The package's stain normalisation fitted to the slide at hand ([`Predictor::fit_stain`]).
    stain: Option<StainTransform>,
    /// ONNX Runtime threads, the device asked for and the optimisation, to load an adapted model.
    load: (usize, Device, Optimisation),
}

impl Predictor {
    /// Loads the package's model on the CPU with `threads` ONNX Runtime threads (its int8 model
    /// where [`Precision::Auto`] chooses it) and checks that its input is `[N, 3, tile, tile]`
    /// and its output `[N, classes]` or `[N, classes, H, W]` as the metadata says; every
    /// mismatch is an [`TesseraError::IncompatibleModel`] naming both sides.
    pub fn new(runtime: &Runtime, package: Package, threads: usize) -> Result<Self> {
        Self::new_on(runtime, package, threads, Device::Cpu, Precision::Auto)
    }

    /// Reads the model at `path` (a `.tessera` package, or an `.onnx` file with its WSInfer
    /// configuration) and loads it as [`Predictor::new_on`] does: the one way the command and
    /// QuPath load a model, so that a model refused at either step is named by its file.
    pub fn load(runtime: &Runtime, path: &Path, threads: usize, device: Device, precision: Precision) -> Result<Self> {
        let package = Package::read(path)?;
        Self::new_on(runtime, package, threads, device, precision).map_err(|error| match error {
            TesseraError::IncompatibleModel(reason) => {
                TesseraError::IncompatibleModel(format!("{}: {reason}", path.display()))
            }
            other => other,
        })
    }

    /// Like [`Predictor::new`], with the model on `device`, or on the CPU when CUDA is asked for
    /// and cannot be had ([`Predictor::placement`] says why), in the `precision` asked for
    /// ([`Predictor::chosen`] says which model runs and why).
    pub fn new_on(
        runtime: &Runtime,
        package: Package,
        threads: usize,
        device: Device,
        precision: Precision,
    ) -> Result<Self> {
        Self::build(runtime, package, threads, device, precision, Optimisation::default())
    }

    /// Like [`Predictor::new_on`] on the CPU, with the model optimised as asked (the benchmarks
    /// compare the levels).
    pub fn new_optimised(
        runtime: &Runtime,
        package: Package,
        threads: usize,
        precision: Precision,
        optimisation: Optimisation,
    ) -> Result<Self> {
        Self::build(runtime, package, threads, Device::Cpu, precision, optimisation)
    }

    fn build(
        runtime: &Runtime,
        package: Package,
        threads: usize,
        device: Device,
        precision: Precision,
        optimisation: Optimisation,
    ) -> Result<Self> {
        let metadata = package.metadata();
        if metadata.task == Task::SlideMil {
            return Err(TesseraError::IncompatibleModel(
                "a slide-level (MIL) model gives one label per slide, not per tile or pixel; it cannot be applied as tiles".into(),
            ));
        }
        let tile = metadata.input.tile_size as usize;
        let bytes = |chosen: &Chosen| match package.int8() {
            Some(int8) if chosen.int8 => int8,
            _ => package.onnx(),
        };
        let mut chosen = precision::choose(&package, precision, device)?;
        check_input(&onnx::signature(bytes(&chosen))?.input.1, tile)?;
        let load = |bytes: &[u8]| Model::from_bytes_with(runtime, bytes, threads, device, optimisation);
        let mut model = load(bytes(&chosen))?;
        // A model that falls back from CUDA to the CPU runs as `auto` chooses for the CPU.
        let ran_on = model.placement().device;
        if ran_on != device {
            let again = precision::choose(&package, precision, ran_on)?;
            if again.int8 != chosen.int8 {
                model = load(bytes(&again))?;
            }
            chosen = again;
        }
        let probe = model.run(&vec![0.0; 3 * tile * tile], &[1, 3, tile, tile]).map_err(|e| {
            TesseraError::IncompatibleModel(format!(
                "the model fails on a 1×3×{tile}×{tile} tile (the package's tile size): {e}"
            ))
        })?;
        let output = output_kind(&probe.shape, metadata.classes.len())?;
        let expected = if metadata.task == Task::Segmentation { "segmentation" } else { "tile classification" };
        if matches!(output, OutputKind::Classification) != (metadata.task == Task::TileClassification) {
            return Err(TesseraError::IncompatibleModel(format!(
                "the package says {expected} but the model's output is {:?}",
                probe.shape
            )));
        }
        let input = &metadata.input;
        let mut scale = [0.0; 3];
        let mut offset = [0.0; 3];
        for c in 0..3 {
            scale[c] = 1.0 / (255.0 * input.std[c]);
            offset[c] = -input.mean[c] / input.std[c];
        }
        let load = (threads, device, optimisation);
        Ok(Self { model, package, chosen, output, scale, offset, stain: None, load })
    }

    /// ONNX Runtime threads the model runs with.
    pub fn threads(&self) -> usize {
        self.load.0
    }

    /// The package's stain normalisation target, if it has one.
    pub fn stain_target(&self) -> Option<&StainFit> {
        self.package.metadata().shift.as_ref().and_then(|shift| shift.stain.as_ref())
    }

    /// The map of the package's stain normalisation fitted to a slide of which `pixels` (packed
    /// RGB) are tiles; `None` when the package has none.
    pub fn stain_for(&self, pixels: &[u8]) -> Result<Option<StainTransform>> {
        let Some(target) = self.stain_target() else { return Ok(None) };
        let source = StainFit::fit(target.method(), pixels, "the slide's tiles")?;
        source.map(|source| StainTransform::new(&source, target)).transpose()
    }

    /// The stain normalisation fitted to the slide at hand, if any.
    pub fn fitted_stain(&self) -> Option<&StainTransform> {
        self.stain.as_ref()
    }

    /// Fits the package's stain normalisation to a slide of which `pixels` (packed RGB) are tiles:
    /// [`Predictor::preprocess`] then maps every tile with it, until the next fit. Returns the
    /// method, or `None` when the package has none.
    pub fn fit_stain(&mut self, pixels: &[u8]) -> Result<Option<StainMethod>> {
        self.stain = self.stain_for(pixels)?;
        Ok(self.stain_target().map(StainFit::method))
    }

    /// Runs `adapted` (the package's float model with re-estimated statistics) from now on, on
    /// the device and with the threads this predictor was loaded with.
    pub fn use_adapted(&mut self, runtime: &Runtime, adapted: &[u8]) -> Result<()> {
        let (threads, device, optimisation) = self.load;
        self.model = Model::from_bytes_with(runtime, adapted, threads, device, optimisation)?;
        self.chosen = Chosen {
            int8: false,
            reason: "the float model, its batch normalisations re-estimated on this slide (AdaBN)".into(),
            warning: None,
        };
        Ok(())
    }

    /// Which of the package's models runs, and why.
    pub fn chosen(&self) -> &Chosen {
        &self.chosen
    }

    /// The package the model came from.
    pub fn package(&self) -> &Package {
        &self.package
    }

    /// Where the model runs.
    pub fn placement(&self) -> &Placement {
        self.model.placement()
    }

    /// What the output means.
    pub fn output(&self) -> OutputKind {
        self.output
    }

    /// The tile side the model takes.
    pub fn tile_size(&self) -> usize {
        self.package.metadata().input.tile_size as usize
    }

    /// Values per tile in a batch (`3 × tile × tile`).
    pub fn tile_len(&self) -> usize {
        3 * self.tile_size() * self.tile_size()
    }

    /// A tile as the model takes it: planar RGB (channel, row, column), stain-normalised when
    /// the package says so (fitted to the slide by [`Predictor::fit_stain`]; a package with stain
    /// normalisation refuses tiles before that), normalised.
    pub fn preprocess(&self, image: &RgbImage) -> Result<Vec<f32>> {
        if self.stain.is_none() && self.stain_target().is_some() {
            return Err(TesseraError::invalid(format!(
                "model {:?} normalises stain to its training tiles: fit it to the slide first (shift::prepare_slide)",
                self.package.metadata().name
            )));
        }
        self.preprocess_with(image, self.stain.as_ref())
    }

    /// A tile as the model takes it, stain-normalised with `stain` when given, then normalised.
    pub fn preprocess_with(&self, image: &RgbImage, stain: Option<&StainTransform>) -> Result<Vec<f32>> {
        let tile = self.tile_size();
        if image.width() as usize != tile || image.height() as usize != tile {
            return Err(TesseraError::invalid(format!(
                "a {}×{} tile was given to a model of {tile}×{tile} tiles",
                image.width(),
                image.height()
            )));
        }
        let plane = tile * tile;
        let mut values = vec![0.0; 3 * plane];
        // One pass over the pixels writing the three planes, without index arithmetic or bounds
        // checks: this runs on every tile while the model runs, so it takes the model's cores.
        let (red, rest) = values.split_at_mut(plane);
        let (green, blue) = rest.split_at_mut(plane);
        let ([sr, sg, sb], [or, og, ob]) = (self.scale, self.offset);
        let planes = red.iter_mut().zip(green.iter_mut()).zip(blue.iter_mut());
        let normalised = stain.map(|stain| {
            let mut pixels = image.as_bytes().to_vec();
            stain.apply(&mut pixels);
            pixels
        });
        let pixels = normalised.as_deref().unwrap_or(image.as_bytes());
        for (((r, g), b), pixel) in planes.zip(pixels.chunks_exact(3)) {
            *r = f32::from(pixel[0]) * sr + or;
            *g = f32::from(pixel[1]) * sg + og;
            *b = f32::from(pixel[2]) * sb + ob;
        }
        Ok(values)
    }

    /// Runs the model on `count` preprocessed tiles laid end to end; its output as class
    /// probabilities (see [`as_probabilities`]).
    pub fn infer(&self, tiles: &[f32], count: usize) -> Result<Tensor> {
        let tile = self.tile_size();
        let mut output = self.model.run(tiles, &[count, 3, tile, tile])?;
        as_probabilities(&mut output, &self.package.metadata().name)?;
        Ok(output)
    }
}

/// How far a class vector's sum may be from 1 for it to count as probabilities already.
const PROBABILITY_SUM_TOLERANCE: f32 = 1e-3;

/// Makes a model's output `[N, classes, …]` class probabilities: a model that outputs raw scores
/// (logits: a class vector with values outside [0, 1], or not summing to 1) has softmax applied
/// to each class vector of the batch; one that outputs NaN or infinity is refused, naming `model`,
/// rather than passed off as a result.
fn as_probabilities(output: &mut Tensor, model: &str) -> Result<()> {
    if output.data.iter().any(|v| !v.is_finite()) {
        return Err(TesseraError::IncompatibleModel(format!(
            "model {model:?} gives NaN or infinite outputs for these tiles; its results would be meaningless"
        )));
    }
    let (Some(&count), Some(&classes)) = (output.shape.first(), output.shape.get(1)) else {
        return Ok(());
    };
    let inner: usize = output.shape[2..].iter().product();
    let vector = |n: usize, i: usize| (0..classes).map(move |c| (n * classes + c) * inner + i);
    let is_distribution = |n: usize, i: usize| {
        let mut sum = 0.0;
        for at in vector(n, i) {
            let value = output.data[at];
            if !(0.0..=1.0).contains(&value) {
                return false;
            }
            sum += value;
        }
        (sum - 1.0f32).abs() <= PROBABILITY_SUM_TOLERANCE
    };
    if (0..count).all(|n| (0..inner).all(|i| is_distribution(n, i))) {
        return Ok(());
    }
    for n in 0..count {
        for i in 0..inner {
            let max = vector(n, i).map(|at| output.data[at]).fold(f32::NEG_INFINITY, f32::max);
            let sum: f32 = vector(n, i).map(|at| (output.data[at] - max).exp()).sum();
            for at in vector(n, i) {
                output.data[at] = (output.data[at] - max).exp() / sum;
            }
        }
    }
    Ok(())
}

/// Checks the declared input shape `[N, 3, tile, tile]` (symbolic sizes accepted).
fn check_input(dims: &[onnx::DeclaredDim], tile: usize) -> Result<()> {
    let show = |dims: &[onnx::DeclaredDim]| {
        let parts: Vec<String> = dims.iter().map(|d| d.map_or("?".into(), |v| v.to_string())).collect();
        format!("[{}]", parts.join(", "))
    };
    let refuse =
        |problem: String| Err(TesseraError::IncompatibleModel(format!("model input {}: {problem}", show(dims))));
    if dims.len() != 4 {
        return refuse("expected an image batch [N, 3, height, width]".into());
    }
    if let Some(channels) = dims[1].filter(|&c| c != 3) {
        return refuse(format!("the model takes {channels} channel(s); slides give 3 (RGB)"));
    }
    for (what, dim) in [("height", dims[2]), ("width", dims[3])] {
        if let Some(size) = dim.filter(|&s| s != tile as i64) {
            return refuse(format!("the model's tile {what} is {size} px but the package says tile_size {tile}"));
        }
    }
    Ok(())
}

/// Classification `[1, classes]` or segmentation `[1, classes, h, w]`, from a probe run's shape.
fn output_kind(shape: &[usize], classes: usize) -> Result<OutputKind> {
    let kind = match *shape {
        [1, c] if c == classes => OutputKind::Classification,
        [1, c, height, width] if c == classes && height > 0 && width > 0 => OutputKind::Segmentation { height, width },
        _ => {
            return Err(TesseraError::IncompatibleModel(format!(
                "model output {shape:?} for one tile is neither classification [1, {classes}] nor segmentation [1, {classes}, H, W] ({classes} classes in the package)"
            )))
        }
    };
    Ok(kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_scores_become_probabilities_and_nan_is_refused() {
        let mut probabilities = Tensor { shape: vec![2, 2], data: vec![0.25, 0.75, 1.0, 0.0] };
        as_probabilities(&mut probabilities, "m").unwrap();
        assert_eq!(probabilities.data, vec![0.25, 0.75, 1.0, 0.0], "probabilities are left alone");
        let mut logits = Tensor { shape: vec![2, 2], data: vec![2.0, -1.0, 0.0, 0.0] };
        as_probabilities(&mut logits, "m").unwrap();
        let e = (3.0f32).exp();
        assert!((logits.data[0] - e / (e + 1.0)).abs() < 1e-6 && (logits.data[2] - 0.5).abs() < 1e-6);
        assert!(logits.data.iter().all(|v| (0.0..=1.0).contains(v)));
        // Segmentation: the class axis is the second; each pixel's vector sums to 1.
        let mut pixels = Tensor { shape: vec![1, 2, 1, 2], data: vec![3.0, -3.0, 1.0, 1.0] };
        as_probabilities(&mut pixels, "m").unwrap();
        assert!(
            (pixels.data[0] + pixels.data[2] - 1.0).abs() < 1e-6
                && (pixels.data[1] + pixels.data[3] - 1.0).abs() < 1e-6
        );
        let mut broken = Tensor { shape: vec![1, 2], data: vec![f32::NAN, 0.5] };
        let error = as_probabilities(&mut broken, "nan-model").unwrap_err().to_string();
        assert!(error.contains("\"nan-model\" gives NaN"), "{error}");
    }

    #[test]
    fn shapes_that_do_not_fit_are_named() {
        assert!(check_input(&[None, Some(3), Some(64), Some(64)], 64).is_ok());
        assert!(check_input(&[None, Some(3), None, None], 64).is_ok());
        let channels = check_input(&[None, Some(1), Some(64), Some(64)], 64).unwrap_err().to_string();
        assert!(channels.contains("takes 1 channel(s)"), "{channels}");
        let size = check_input(&[None, Some(3), Some(96), Some(96)], 64).unwrap_err().to_string();
        assert!(size.contains("height is 96 px") && size.contains("tile_size 64"), "{size}");
        assert!(check_input(&[None, Some(12)], 64).is_err());
        assert_eq!(output_kind(&[1, 3], 3).unwrap(), OutputKind::Classification);
        assert_eq!(output_kind(&[1, 3, 8, 4], 3).unwrap(), OutputKind::Segmentation { height: 8, width: 4 });
        let other = output_kind(&[1, 3, 8], 3).unwrap_err().to_string();
        assert!(other.contains("neither classification"), "{other}");
        assert!(output_kind(&[1, 2], 3).is_err());
    }
}
