//! Whole networks: gradients of the training pass, the inference graph against the training
//! graph's forward, and seeded initialisation.

use super::cnn::CnnSpec;
use super::network::{Network, State};
use super::optim::Optimizer;
use super::unet::UNetSpec;
use crate::rng::Rng;
use crate::runtime::Tensor;
use crate::train::session::{Feed, GraphSession};
use crate::train::step::Stepper;
use crate::train::testing::{run, runtime};

/// Two blocks on 8×8 RGB, 3 classes: with residual units, every layer kind one by one; without,
/// the fused normalisation–pooling–ReLU layer.
fn tiny(residual: bool) -> Network {
    CnnSpec { channels: 3, tile: 8, classes: 3, width: 4, depth: 2, residual }.network().unwrap()
}

/// A U-Net of `depth` levels below the first on 8×8 RGB, 3 classes, with `loss`.
fn tiny_unet(loss: super::layers::PixelLoss, depth: usize) -> Network {
    UNetSpec { channels: 3, patch: 8, classes: 3, width: 3, depth, loss }.network().unwrap()
}

const BATCH: usize = 6;
const WEIGHTS: [f32; 3] = [1.0, 0.5, 2.0];

fn shape(network: &Network, n: usize) -> Vec<usize> {
    std::iter::once(n).chain(network.input().iter().copied()).collect()
}

fn label_shape(network: &Network) -> Vec<usize> {
    std::iter::once(BATCH).chain(network.label_shape().iter().copied()).collect()
}

/// A batch for `network`: normal pixels; a classifier's labels cycle through the classes, a
/// segmenter's pixels are random classes or unlabelled (−1).
fn batch(network: &Network, seed: u64) -> (Vec<f32>, Vec<i64>) {
    let mut rng = Rng::new(seed);
    let x = (0..shape(network, BATCH).iter().product()).map(|_| rng.normal() as f32).collect();
    let count: usize = label_shape(network).iter().product();
    let labels = match network.label_shape() {
        [] => (0..count).map(|i| (i % 3) as i64).collect(),
        _ => (0..count).map(|_| rng.below(4) as i64 - 1).collect(),
    };
    (x, labels)
}

fn state_feeds<'a>(network: &Network, state: &'a State, x: &'a [f32], labels: &'a [i64]) -> Vec<Feed<'a>> {
    let mut feeds =
        vec![Feed::f32("input", &shape(network, BATCH), x), Feed::i64("labels", &label_shape(network), labels)];
    feeds
        .extend(state.params.iter().chain(&state.buffers).map(|n| Feed::f32(&n.name, &n.tensor.shape, &n.tensor.data)));
    feeds
}

/// Directional finite differences of the loss of the whole network along one random direction
/// per parameter tensor. The per-layer checks test each rule to 2·10⁻³; this one tests their
/// composition (chaining, residual branches, parameter order), where a mistake is off by O(1).
/// The loss passes through ReLUs and max pooling: a step of `h` moves pre-activations across
/// their kinks, an error growing with `h` (measured on this net: worst 2.5·10⁻² at `h = 10⁻³`,
/// 3·10⁻¹ at `3·10⁻³`), while smaller steps drown in f32 rounding of the loss (10⁻⁷ / 2h). So
/// each tensor must agree within 5·10⁻² and half of them within 2·10⁻³. Without residual units,
/// the tiny net's second block sees few non-zero inputs, and at many starting points some channel
/// has a variance far below ε: batch normalisation then magnifies it ~300× and the loss bends
/// sharply within 10⁻⁴ (at such a point the backward pass still matched PyTorch's float64
/// autograd to 5·10⁻⁸, checked by hand); that net is checked from a starting point away from
/// such bends.
#[test]
fn whole_network_gradients_match_finite_differences() {
    check_whole_network(&tiny(true), 5, (2e-3, 5e-2));
    check_whole_network(&tiny(false), 6, (2e-3, 5e-2));
}

/// The U-Net's composition (skip connections, upsampling, the pixel head, each pixel loss)
/// checked the same way, one level deep. Its eight ReLUs per sample and pixel put many more
/// pre-activations within a step of their kinks, so finite differences are coarser here
/// (measured at `h = 10⁻³`: medians 1.3·10⁻², 1.3·10⁻³ and 2.8·10⁻³ for cross-entropy, Dice and
/// their sum, worst tensors 0.08–0.26, all shrinking with `h` until f32 rounding takes over) and
/// the bounds are 3·10⁻² and 0.5: a wrong composition is off by O(1) in most tensors.
/// The exact check is `cargo bench -p tessera-cli --bench unet_autograd`: every gradient of
/// these U-Nets (depths 1 and 2, each loss) against PyTorch's float64 autograd, measured within
/// 4·10⁻⁶ relative.
#[test]
fn whole_unet_gradients_match_finite_differences() {
    use super::layers::PixelLoss;
    for (loss, seed) in [(PixelLoss::CrossEntropy, 5), (PixelLoss::Dice, 6), (PixelLoss::CrossEntropyDice, 7)] {
        check_whole_network(&tiny_unet(loss, 1), seed, (3e-2, 0.5));
    }
}

/// Checks `network` from the starting point of `seed`: the median and the worst relative error
/// must be below `bounds`.
fn check_whole_network(network: &Network, seed: u64, bounds: (f64, f64)) {
    let graph = network.gradient_graph(&WEIGHTS).unwrap();
    let mut session = GraphSession::new(runtime(), &graph, 1).unwrap();
    let state = network.initial_state(&Optimizer::default(), seed);
    let (x, labels) = batch(network, 6);
    let mut loss_at = |state: &State| session.run(&state_feeds(network, state, &x, &labels)).unwrap();
    let exact = loss_at(&state);
    let (h, mut rng) = (1e-3f32, Rng::new(9));
    let mut errors = Vec::new();
    for (i, param) in state.params.iter().enumerate() {
        let v: Vec<f32> = param.tensor.data.iter().map(|_| rng.normal() as f32).collect();
        let mut shifted = |sign: f32| {
            let mut moved = state.clone();
            moved.params[i].tensor.data.iter_mut().zip(&v).for_each(|(p, d)| *p += sign * h * d);
            loss_at(&moved)[0].data[0] as f64
        };
        let numeric = (shifted(1.0) - shifted(-1.0)) / (2.0 * h as f64);
        let directional: f64 = exact[i + 1].data.iter().zip(&v).map(|(&g, &d)| g as f64 * d as f64).sum();
        let error = (numeric - directional).abs() / directional.abs().max(5e-2);
        eprintln!("{}: finite difference {numeric:.6}, backward {directional:.6}, error {error:.2e}", param.name);
        errors.push(error);
    }
    errors.sort_by(f64::total_cmp);
    let (median, worst) = (errors[errors.len() / 2], errors[errors.len() - 1]);
    eprintln!("relative errors: median {median:.2e}, worst {worst:.2e}");
    assert!(median < bounds.0 && worst < bounds.1, "relative errors: median {median:.2e}, worst {worst:.2e}");
}

/// The softmax over the class axis (the second) of `logits` `[n, classes, …]`, in f64.
fn softmax_classes(logits: &Tensor) -> Vec<f64> {
    let classes = logits.shape[1];
    let positions: usize = logits.shape[2..].iter().product();
    let mut out = vec![0.0; logits.data.len()];
    for (sample, values) in logits.data.chunks(classes * positions).enumerate() {
        for at in 0..positions {
            let column: Vec<f64> = (0..classes).map(|c| values[c * positions + at] as f64).collect();
            let max = column.iter().cloned().fold(f64::MIN, f64::max);
            let sum: f64 = column.iter().map(|z| (z - max).exp()).sum();
            for (c, z) in column.iter().enumerate() {
                out[(sample * classes + c) * positions + at] = (z - max).exp() / sum;
            }
        }
    }
    out
}

fn infer(network: &Network, state: &State, x: &[f32], n: usize) -> Vec<f32> {
    let graph = network.inference_graph(state).unwrap();
    run(&graph, &[Feed::f32("input", &shape(network, n), x)]).remove(0).data
}

/// A stepper after three AdamW steps, so that parameters and running statistics are no longer
/// their initial values.
fn trained(network: &Network, seed: u64) -> Stepper {
    let state = network.initial_state(&Optimizer::default(), seed);
    let mut stepper = Stepper::new(runtime(), network, &Optimizer::default(), &WEIGHTS, state, 1).unwrap();
    for s in 0..3 {
        let (x, labels) = batch(network, 100 + s);
        stepper.step(&x, &labels, 1e-2).unwrap();
    }
    stepper
}

/// The inference graph (eval mode: one `BatchNormalization` node per layer, folded by ONNX
/// Runtime, running statistics) given the statistics of a batch as its running statistics
/// must reproduce the training graph's forward (batch statistics) on that batch.
#[test]
fn inference_graph_reproduces_the_training_forward() {
    for residual in [true, false] {
        check_inference_graph(&tiny(residual));
    }
    check_inference_graph(&tiny_unet(super::layers::PixelLoss::default(), 2));
}

/// The level of a layer named `block2.bn…`, `down1.bn2…` or `up0.bn1…`: its first number.
fn level(name: &str) -> u32 {
    let digits: String = name.chars().skip_while(|c| !c.is_ascii_digit()).take_while(char::is_ascii_digit).collect();
    digits.parse().unwrap()
}

fn check_inference_graph(network: &Network) {
    let mut stepper = trained(network, 1);
    let before = stepper.state().clone();
    let (x, labels) = batch(network, 7);
    // Learning rate 0: parameters stay; running statistics move towards this batch's.
    let out = stepper.step(&x, &labels, 0.0).unwrap();
    assert_eq!(stepper.state().params, before.params);
    let mut eval = before.clone();
    let m = super::layers::batchnorm::MOMENTUM as f64;
    for (i, running) in eval.buffers.iter_mut().enumerate() {
        let count = (BATCH * (network.input()[1] >> level(&running.name)).pow(2)) as f64;
        let after = &stepper.state().buffers[i].tensor.data;
        for (r, &a) in running.tensor.data.iter_mut().zip(after) {
            let batch_stat = (a as f64 - (1.0 - m) * *r as f64) / m;
            let biased = if running.name.ends_with("running_var") { (count - 1.0) / count } else { 1.0 };
            *r = (batch_stat * biased) as f32;
        }
    }
    let probabilities = infer(network, &eval, &x, BATCH);
    let expected = softmax_classes(&out.logits);
    let worst = probabilities.iter().zip(&expected).map(|(&p, e)| (p as f64 - e).abs()).fold(0.0, f64::max);
    eprintln!("inference vs training forward: largest difference {worst:.2e}");
    assert_eq!(probabilities.len(), expected.len());
    assert!(worst <= 1e-5, "largest difference {worst:.2e}");
}

#[test]
fn inference_batch_size_is_free_and_rows_independent() {
    let network = tiny(true);
    let state = trained(&network, 2).state().clone();
    let (x, _) = batch(&network, 8);
    let all = infer(&network, &state, &x, BATCH);
    let first_two = infer(&network, &state, &x[..2 * 3 * 64], 2);
    assert_eq!(all.len(), BATCH * 3);
    for (a, b) in all.iter().zip(&first_two) {
        assert!((a - b).abs() < 1e-6, "{a} vs {b}");
    }
    for row in all.chunks(3) {
        assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-5);
    }
}

#[test]
fn the_same_seed_gives_the_same_model() {
    let network = tiny(true);
    let (a, b, c) = (trained(&network, 3), trained(&network, 3), trained(&network, 4));
    assert_eq!(a.state(), b.state());
    assert_ne!(a.state().params, c.state().params);
}

/// ONNX Runtime's batch normalisation in training mode writes into its statistics inputs; the
/// training step must still leave every buffer it is given as it was.
#[test]
fn a_training_step_leaves_its_inputs_untouched() {
    for residual in [true, false] {
        let network = tiny(residual);
        let state = network.initial_state(&Optimizer::default(), 8);
        let block = crate::train::blocked::block_size(crate::train::testing::runtime());
        let graph = network.training_graph(&Optimizer::default(), &WEIGHTS, block).unwrap();
        let (x, labels) = batch(&network, 9);
        let (lr, step) = ([1e-2f32], [1.0f32]);
        let mut feeds = state_feeds(&network, &state, &x, &labels);
        feeds.extend(state.slots.iter().map(|n| Feed::f32(&n.name, &n.tensor.shape, &n.tensor.data)));
        feeds.extend([Feed::f32("lr", &[], &lr), Feed::f32("step", &[], &step)]);
        let before = (state.clone(), x.clone());
        let out = run(&graph, &feeds);
        assert!(out[0].data[0].is_finite());
        assert_eq!((state, x), before, "residual: {residual}");
    }
}

#[test]
fn tile_sizes_that_do_not_halve_are_refused() {
    let spec = CnnSpec { tile: 40, depth: 4, ..CnnSpec::default() };
    let err = spec.network().err().unwrap();
    assert!(err.to_string().contains("not divisible by 2^4"), "{err}");
}
