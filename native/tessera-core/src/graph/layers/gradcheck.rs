//! Every layer's backward rule against central finite differences of its forward pass, both
//! run by ONNX Runtime.
//!
//! ONNX Runtime's CPU `Conv` and `ConvTranspose` exist for f32 only, so the graphs run in f32
//! and each check is directional: for a random direction `v` of one tensor `t`,
//! `(f(t + hv) − f(t − hv)) / 2h` against `⟨∂f/∂t, v⟩`, with `f = Σ y·r` for a random upstream
//! gradient `r`, summed in f64. With `h = 10⁻²` and values of order 1, the truncation error is
//! `O(h²) ≈ 10⁻⁴` relative and f32 rounding of `y` adds about `√n · 6·10⁻⁸ / 2h ≈ 10⁻⁵`, so a
//! correct rule stays well under the 2·10⁻³ tolerance, while any wrong term (a missing
//! transpose, a wrong mean, a lost factor) is off by 10⁻¹ or more. Inputs of ReLU and max
//! pooling are kept more than `h` away from their kinks and ties, where no derivative exists.

use std::iter::once;

use super::*;
use crate::graph::builder::Dim;
use crate::graph::proto::DataType;
use crate::rng::Rng;
use crate::runtime::Tensor;
use crate::train::session::Feed;
use crate::train::testing::run;

const H: f32 = 1e-2;
const TOLERANCE: f64 = 2e-3;

fn fixed(batch: usize, shape: &[usize]) -> Vec<Dim<'static>> {
    once(batch).chain(shape.iter().copied()).map(|d| Dim::Fixed(d as i64)).collect()
}

fn normals(rng: &mut Rng, n: usize, scale: f64) -> Vec<f32> {
    (0..n).map(|_| (rng.normal() * scale) as f32).collect()
}

/// A layer's forward pass and backward rule in one graph: inputs `x`, the parameters, the
/// running statistics and the upstream gradient `r`; outputs `y`, `dx` and each parameter gradient.
struct Harness<'a> {
    layer: &'a dyn Layer,
    batch: usize,
    input: Vec<usize>,
    output: Vec<usize>,
    graph: Vec<u8>,
}

impl<'a> Harness<'a> {
    fn new(layer: &'a dyn Layer, batch: usize, input: &[usize]) -> Self {
        Self::blocked(layer, batch, input, None)
    }

    /// As [`Harness::new`], the convolutions in ONNX Runtime's blocked layout of `block` channels.
    fn blocked(layer: &'a dyn Layer, batch: usize, input: &[usize], block: Option<usize>) -> Self {
        let output = layer.output_shape(input).unwrap();
        let mut ops = Ops::new("gradcheck").with_blocked_convolutions(block);
        let x = ops.input("x", DataType::Float, &fixed(batch, input));
        let mut declare = |specs: Vec<TensorSpec>| -> Vec<Value> {
            specs.iter().map(|s| ops.input(&s.name, DataType::Float, &fixed(1, &s.shape)[1..])).collect()
        };
        let params = declare(layer.params());
        let buffers = declare(layer.buffers());
        let r = ops.input("r", DataType::Float, &fixed(batch, &output));
        let forward = layer.forward(&mut ops, &x, Bound { params: &params, buffers: &buffers }, Mode::Train);
        let backward = layer.backward(&mut ops, &forward.tape, &r, true);
        let mut g = ops.into_builder();
        g.output(&forward.y, "y", DataType::Float, &fixed(batch, &output));
        g.output(&backward.dx.unwrap(), "dx", DataType::Float, &fixed(batch, input));
        for (i, (grad, spec)) in backward.grads.iter().zip(layer.params()).enumerate() {
            g.output(grad, &format!("grad{i}"), DataType::Float, &fixed(1, &spec.shape)[1..]);
        }
        Self { layer, batch, input: input.to_vec(), output, graph: g.to_bytes("test") }
    }

    /// `x` followed by the parameters, then the running statistics and `r`.
    fn run(&self, tensors: &[Vec<f32>], buffers: &[Vec<f32>], r: &[f32]) -> Vec<Tensor> {
        let x_shape: Vec<usize> = once(self.batch).chain(self.input.iter().copied()).collect();
        let r_shape: Vec<usize> = once(self.batch).chain(self.output.iter().copied()).collect();
        let params = self.layer.params();
        let buffer_specs = self.layer.buffers();
        let mut feeds = vec![Feed::f32("x", &x_shape, &tensors[0]), Feed::f32("r", &r_shape, r)];
        feeds.extend(params.iter().zip(&tensors[1..]).map(|(s, d)| Feed::f32(&s.name, &s.shape, d)));
        feeds.extend(buffer_specs.iter().zip(buffers).map(|(s, d)| Feed::f32(&s.name, &s.shape, d)));
        run(&self.graph, &feeds)
    }

    /// The largest relative error of the backward rule over `x` and each parameter.
    fn max_error(&self, x: Vec<f32>, seed: u64) -> f64 {
        let mut rng = Rng::new(seed);
        let r = normals(&mut rng, self.batch * self.output.iter().product::<usize>(), 1.0);
        let initial =
            self.layer.params().iter().map(|s| crate::graph::network::initial(s, &mut rng)).collect::<Vec<_>>();
        let mut tensors = vec![x];
        // Move parameters off their initial values (γ = 1, β = 0 would hide errors).
        tensors.extend(initial.into_iter().map(|t| t.data.iter().map(|v| v + (rng.normal() * 0.3) as f32).collect()));
        let buffers: Vec<Vec<f32>> =
            self.layer.buffers().iter().map(|s| crate::graph::network::initial(s, &mut rng).data).collect();
        let f = |tensors: &[Vec<f32>]| -> f64 {
            let y = &self.run(tensors, &buffers, &r)[0];
            y.data.iter().zip(&r).map(|(&a, &b)| a as f64 * b as f64).sum()
        };
        let analytic = self.run(&tensors, &buffers, &r);
        (0..tensors.len())
            .map(|t| {
                let v: Vec<f32> = (0..tensors[t].len()).map(|_| (rng.uniform() * 2.0 - 1.0) as f32).collect();
                let shifted = |sign: f32| {
                    let mut moved = tensors.clone();
                    moved[t].iter_mut().zip(&v).for_each(|(a, b)| *a += sign * H * b);
                    f(&moved)
                };
                let numeric = (shifted(1.0) - shifted(-1.0)) / (2.0 * H as f64);
                let exact: f64 = analytic[t + 1].data.iter().zip(&v).map(|(&g, &d)| g as f64 * d as f64).sum();
                let error = (numeric - exact).abs() / exact.abs().max(1e-3);
                eprintln!(
                    "tensor {t}: finite difference {numeric:.6}, backward rule {exact:.6}, relative error {error:.2e}"
                );
                error
            })
            .fold(0.0, f64::max)
    }
}

fn check(layer: &dyn Layer, batch: usize, input: &[usize], x: Vec<f32>) {
    let error = Harness::new(layer, batch, input).max_error(x, 11);
    assert!(error < TOLERANCE, "relative error {error:.2e}");
}

fn normal_input(batch: usize, input: &[usize], seed: u64) -> Vec<f32> {
    normals(&mut Rng::new(seed), batch * input.iter().product::<usize>(), 1.0)
}

/// Values at least 0.1 from zero, either sign.
fn away_from_zero(n: usize, seed: u64) -> Vec<f32> {
    let mut rng = Rng::new(seed);
    (0..n).map(|_| (0.1 + rng.uniform()) as f32 * if rng.below(2) == 0 { 1.0 } else { -1.0 }).collect()
}

/// Distinct values 0.05 apart, shuffled: no ties within a pooling window.
fn distinct(n: usize, seed: u64) -> Vec<f32> {
    let mut values: Vec<f32> = (0..n).map(|i| i as f32 * 0.05 - n as f32 * 0.025).collect();
    Rng::new(seed).shuffle(&mut values);
    values
}

/// A widening convolution: its `dx` is a `ConvTranspose`.
#[test]
fn conv2d() {
    let input = [3, 6, 5];
    check(&Conv2d::new("conv", 3, 4), 2, &input, normal_input(2, &input, 1));
}

/// A convolution keeping its width: its `dx` convolves with the flipped, transposed weights.
#[test]
fn conv2d_keeping_its_width() {
    let input = [4, 5, 6];
    check(&Conv2d::new("conv", 4, 4), 2, &input, normal_input(2, &input, 12));
}

/// Convolutions in the blocked layout (forward and `dx`): equal widths, widening, narrowing.
#[cfg(target_arch = "x86_64")]
#[test]
fn conv2d_blocked() {
    let block = crate::train::blocked::block_size(crate::train::testing::runtime())
        .expect("ONNX Runtime on x86-64 with AVX2 or AVX-512 has the blocked layout");
    for (seed, (inputs, outputs)) in (30..).zip([(block, block), (block, 2 * block), (2 * block, block)]) {
        let input = [inputs, 5, 6];
        let error = Harness::blocked(&Conv2d::new("conv", inputs, outputs), 2, &input, Some(block))
            .max_error(normal_input(2, &input, seed), 11);
        assert!(error < TOLERANCE, "{inputs} → {outputs}: relative error {error:.2e}");
    }
}

/// Every form of the weight gradient: `x` shifted (a much wider output), `dy` shifted (a much
/// narrower one) or both (similar widths), per sample and, on small inputs, per offset.
#[test]
fn conv2d_weight_gradient_forms() {
    for (seed, (inputs, outputs)) in (20..).zip([(2, 5), (5, 2), (4, 3)]) {
        let input = [inputs, 6, 5];
        let x = normal_input(2, &input, seed);
        check(&Conv2d::new("conv", inputs, outputs), 2, &input, x.clone());
        check(&Conv2d::new("conv", inputs, outputs).for_pixels(30), 2, &input, x);
    }
}

#[test]
fn batchnorm() {
    let input = [3, 4, 5];
    let x = normal_input(3, &input, 2).iter().map(|v| 2.0 * v + 1.0).collect();
    check(&BatchNorm::new("bn", 3), 3, &input, x);
}

#[test]
fn relu() {
    check(&Relu, 2, &[2, 4, 4], away_from_zero(64, 3));
}

#[test]
fn maxpool() {
    check(&MaxPool2, 2, &[2, 4, 6], distinct(96, 4));
}

#[test]
fn norm_pool_relu() {
    check(&NormPoolRelu::new("bn", 2), 2, &[2, 4, 6], distinct(96, 8));
}

/// The fused layer gives the same output and gradients as batch normalisation, max pooling and
/// ReLU in a row (each checked above), with and without tied maxima.
#[test]
fn norm_pool_relu_matches_the_three_layers() {
    let mut chain = Sequential::new();
    chain.push(BatchNorm::new("bn", 3));
    chain.push(MaxPool2);
    chain.push(Relu);
    let fused = NormPoolRelu::new("bn", 3);
    let (batch, input) = (2, [3, 4, 6]);
    let (chained, fused) = (Harness::new(&chain, batch, &input), Harness::new(&fused, batch, &input));
    let mut rng = Rng::new(10);
    let r = normals(&mut rng, batch * 3 * 2 * 3, 1.0);
    let params = [normals(&mut rng, 3, 1.0), normals(&mut rng, 3, 1.0)];
    let buffers = vec![vec![0.0; 3], vec![1.0; 3]];
    let smooth = normal_input(batch, &input, 9);
    // Rounded to halves: many windows hold tied maxima.
    let tied: Vec<f32> = smooth.iter().map(|v| (v * 2.0).round() / 2.0).collect();
    for x in [smooth, tied] {
        let tensors: Vec<Vec<f32>> = once(x).chain(params.iter().cloned()).collect();
        let (want, got) = (chained.run(&tensors, &buffers, &r), fused.run(&tensors, &buffers, &r));
        for (name, (want, got)) in ["y", "dx", "dγ", "dβ"].iter().zip(want.iter().zip(&got)) {
            let worst =
                want.data.iter().zip(&got.data).map(|(a, b)| (a - b).abs() / a.abs().max(1.0)).fold(0.0, f32::max);
            assert!(worst < 1e-5, "{name}: {:?} against {:?}", got.data, want.data);
        }
    }
}

#[test]
fn global_average_pool() {
    let input = [4, 3, 5];
    check(&GlobalAvgPool::new(3, 5), 2, &input, normal_input(2, &input, 5));
}

#[test]
fn linear() {
    check(&Linear::new("fc", 5, 3), 4, &[5], normal_input(4, &[5], 6));
}

#[test]
fn residual() {
    let mut body = Sequential::new();
    body.push(Conv2d::new("a", 2, 2));
    body.push(BatchNorm::new("a.bn", 2));
    body.push(Conv2d::new("b", 2, 2));
    let input = [2, 4, 4];
    check(&Residual::new(body), 2, &input, normal_input(2, &input, 7));
}

#[test]
fn residual_refuses_a_body_that_changes_the_shape() {
    let mut body = Sequential::new();
    body.push(Conv2d::new("a", 2, 3));
    let err = Residual::new(body).output_shape(&[2, 4, 4]).unwrap_err();
    assert!(err.to_string().contains("keeps the shape"), "{err}");
}

#[test]
fn max_pooling_refuses_odd_sizes() {
    assert!(MaxPool2.output_shape(&[2, 5, 4]).is_err());
}

#[test]
fn upsample() {
    let input = [3, 2, 3];
    check(&Upsample2, 2, &input, normal_input(2, &input, 13));
}

#[test]
fn pixel_linear() {
    let input = [4, 3, 5];
    check(&PixelLinear::new("head", 4, 3), 2, &input, normal_input(2, &input, 14));
}

/// A U-Net level in small: the input joined to a pooled, convolved and upsampled copy of itself.
#[test]
fn skip() {
    let mut body = Sequential::new();
    body.push(MaxPool2);
    body.push(Conv2d::new("down", 2, 3));
    body.push(Upsample2);
    let input = [2, 4, 6];
    check(&Skip::new(2, 3, body), 2, &input, distinct(96, 15));
}

#[test]
fn skip_refuses_a_body_that_changes_the_size() {
    let mut body = Sequential::new();
    body.push(MaxPool2);
    let err = Skip::new(2, 2, body).output_shape(&[2, 4, 4]).unwrap_err();
    assert!(err.to_string().contains("skip connection"), "{err}");
}
