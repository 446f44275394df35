//! The weight gradient of a 3×3 convolution (stride 1, padding 1), in the forms ONNX Runtime's
//! CPU provider runs fastest.
//!
//! `dW[o, c, ky, kx] = Σₙ Σₚ dy[n, o, p] · x[n, c, p + δ]`, `δ = (ky − 1, kx − 1)`: for each
//! kernel offset a product of `dy` with `x` shifted by that offset. ONNX has no strided views,
//! so the shifted copies must be laid out, and laying them out costs more than the products.
//! Hence the forms differ in which copies they make:
//! - **one operand shifted nine times**: `x` forwards by `δ`, or `dy` backwards by `−δ` (the same
//!   sum, `p` renamed), whichever has fewer channels — `9·min(c, o)` channel copies;
//! - **split shifts**: `x` shifted only along rows (by `kx`) and `dy` only along columns (by
//!   `ky`), three copies each on a frame two rows taller, so that every pair of a `dy` copy and an
//!   `x` copy is one offset — `3·(c + o)` channel copies, fewer when neither width is twice the
//!   other (a convolution keeping its width: 6 instead of 9).
//!
//! and in how they multiply: **per sample** (the copies side by side by a grouped convolution
//! with a fixed one-hot kernel — an im2col — one batched `MatMul` with the other operand
//! transposed, which ONNX Runtime fuses into the product, summed over the batch), or **per
//! offset** over the whole batch (both operands channel-first, `[channels, n·h·w]`, one `Gemm`
//! per pair of copies), faster when a sample has few pixels.

use crate::graph::builder::{attr_int, attr_ints, Value};
use crate::graph::ops::Ops;

/// Up to this many pixels per channel (a 32 × 32 input), the products are per offset over the
/// whole batch; above it, per sample. Measured on ONNX Runtime's CPU provider over the U-Net's
/// convolutions (batch 32): per offset is 1.3–2× faster from 32 × 32 pixels down, where a
/// sample's product is too small to run efficiently, and 1.5–3× slower at 64 × 64, where
/// transposing both operands to channel-first costs more than it saves.
const PER_OFFSET_MAX_PIXELS: usize = 32 * 32;

/// Which copies a weight gradient makes.
#[derive(Clone, Copy, PartialEq)]
enum Shifts {
    /// `x` shifted by each of the nine offsets.
    X,
    /// `dy` shifted back by each of the nine offsets.
    Dy,
    /// `x` shifted along rows and `dy` along columns, three each.
    Split,
}

impl Shifts {
    /// The form with the fewest channel copies for `c` input and `o` output channels.
    fn fewest(c: usize, o: usize) -> Self {
        if 3 * (c + o) < 9 * c.min(o) {
            Shifts::Split
        } else if o < c {
            Shifts::Dy
        } else {
            Shifts::X
        }
    }
}

/// `dW` `[o, c, 3, 3]` of a convolution from `c` to `o` channels, for its input `x` and output
/// gradient `dy`, when `pixels` (per channel, if known) picks the form.
pub(super) fn weight_gradient(
    ops: &mut Ops,
    x: &Value,
    dy: &Value,
    c: usize,
    o: usize,
    pixels: Option<usize>,
) -> Value {
    let shifts = Shifts::fewest(c, o);
    let (c, o) = (c as i64, o as i64);
    match pixels {
        Some(pixels) if pixels <= PER_OFFSET_MAX_PIXELS => per_offset(ops, x, dy, c, o, shifts),
        _ => per_sample(ops, x, dy, c, o, shifts),
    }
}

/// The one-hot kernel of `channels · taps` output channels: output `taps·i + t` copies input `i`
/// at tap `t`, or at `taps − 1 − t` when `reversed`.
fn one_hot(channels: usize, taps: usize, reversed: bool) -> Vec<f32> {
    let mut kernel = vec![0.0; channels * taps * taps];
    for i in 0..channels * taps {
        let t = i % taps;
        kernel[i * taps + if reversed { taps - 1 - t } else { t }] = 1.0;
    }
    kernel
}

/// The copies of `v` (`[n, e, h, w]`) side by side as `[n, taps·e, …]` by a grouped convolution
/// with a one-hot kernel of spatial shape `kernel` and padding `pads`.
fn copies(ops: &mut Ops, v: &Value, e: i64, kernel: [i64; 2], pads: [i64; 4], reversed: bool) -> Value {
    let taps = kernel[0] * kernel[1];
    let key = format!("one-hot{e}x{kernel:?}{}", if reversed { "r" } else { "" });
    let weights =
        ops.tensor(&key, &[taps * e, 1, kernel[0], kernel[1]], || one_hot(e as usize, taps as usize, reversed));
    let attrs = vec![attr_ints("kernel_shape", &kernel), attr_ints("pads", &pads), attr_int("group", e)];
    ops.node("Conv", &[v, &weights], attrs)
}

/// Per sample: `a` `[n, rows, k]` times `b` `[n, cols, k]` transposed, summed over the batch.
fn summed_products(ops: &mut Ops, a: &Value, rows: i64, b: &Value, cols: i64) -> Value {
    let a = ops.reshape(a, &[0, rows, -1]);
    let b = ops.reshape(b, &[0, cols, -1]);
    let b = ops.transpose(&b, &[0, 2, 1]);
    let per_sample = ops.node("MatMul", &[&a, &b], vec![]);
    ops.sum_over_batch(&per_sample)
}

/// One product per sample (see the module's documentation).
fn per_sample(ops: &mut Ops, x: &Value, dy: &Value, c: i64, o: i64, shifts: Shifts) -> Value {
    let same = [1, 1, 1, 1];
    let (summed, grouped, perm): (Value, Vec<i64>, &[i64]) = match shifts {
        // Σₙ [9c, o] is [c, 9, o]: to [o, c, 9].
        Shifts::X => {
            let patches = copies(ops, x, c, [3, 3], same, false);
            (summed_products(ops, &patches, 9 * c, dy, o), vec![c, 9, o], &[2, 0, 1])
        }
        // Σₙ [9o, c] is [o, 9, c].
        Shifts::Dy => {
            let patches = copies(ops, dy, o, [3, 3], same, true);
            (summed_products(ops, &patches, 9 * o, x, c), vec![o, 9, c], &[0, 2, 1])
        }
        // Frames of h + 2 rows: x at rows 1…h shifted by kx − 1 along its rows, dy at rows
        // ky…ky + h − 1. Σₙ [3o, 3c] is [o, ky, c, kx].
        Shifts::Split => {
            let dy_frames = copies(ops, dy, o, [3, 1], [2, 0, 2, 0], true);
            let x_frames = copies(ops, x, c, [1, 3], same, false);
            (summed_products(ops, &dy_frames, 3 * o, &x_frames, 3 * c), vec![o, 3, c, 3], &[0, 2, 1, 3])
        }
    };
    let summed = ops.reshape(&summed, &grouped);
    let dw = ops.transpose(&summed, perm);
    ops.reshape(&dw, &[o, c, 3, 3])
}

/// `v` zero-padded by `pads` (top, left, bottom, right) over its last two axes.
fn padded(ops: &mut Ops, v: &Value, pads: [i64; 4]) -> Value {
    let pads = ops.ints(&[0, 0, pads[0], pads[1], 0, 0, pads[2], pads[3]]);
    ops.node("Pad", &[v, &pads], vec![])
}

/// The window of `padded` starting at `starts` along `axes`, as far as the padding `2` beyond the
/// unpadded size reaches (`ends` counted from the end), as `[channels, -1]`.
fn window(ops: &mut Ops, padded: &Value, channels: i64, starts: &[i64], axes: &[i64]) -> Value {
    let ends: Vec<i64> = starts.iter().map(|&s| if s == 2 { i64::MAX } else { s - 2 }).collect();
    let (starts, ends, axes) = (ops.ints(starts), ops.ints(&ends), ops.ints(axes));
    let cut = ops.node("Slice", &[padded, &starts, &ends, &axes], vec![]);
    ops.reshape(&cut, &[channels, -1])
}

/// `v` `[n, e, h, w]` channel-first: `[e, n, h, w]`.
fn channel_first(ops: &mut Ops, v: &Value) -> Value {
    ops.transpose(v, &[1, 0, 2, 3])
}

/// One product per offset over the whole batch (see the module's documentation).
fn per_offset(ops: &mut Ops, x: &Value, dy: &Value, c: i64, o: i64, shifts: Shifts) -> Value {
    // (dy operand, x operand) of offset k = 3·ky + kx, each [channels, n·…].
    let (x, dy) = (channel_first(ops, x), channel_first(ops, dy));
    let pairs: Vec<(Value, Value)> = match shifts {
        // x at p + δ starts at (ky, kx) of the padded x.
        Shifts::X => {
            let (dy, x) = (ops.reshape(&dy, &[o, -1]), padded(ops, &x, [1, 1, 1, 1]));
            (0..9).map(|k| (dy.clone(), window(ops, &x, c, &[k / 3, k % 3], &[2, 3]))).collect()
        }
        // dy at p − δ starts at (2 − ky, 2 − kx) of the padded dy.
        Shifts::Dy => {
            let (x, dy) = (ops.reshape(&x, &[c, -1]), padded(ops, &dy, [1, 1, 1, 1]));
            (0..9).map(|k| (window(ops, &dy, o, &[2 - k / 3, 2 - k % 3], &[2, 3]), x.clone())).collect()
        }
        // The frames of `per_sample`: x padded by one all round, cut at column kx; dy padded by
        // ky rows above and 2 − ky below.
        Shifts::Split => {
            let x = padded(ops, &x, [1, 1, 1, 1]);
            let x_frames: Vec<Value> = (0..3).map(|kx| window(ops, &x, c, &[kx], &[3])).collect();
            let dy_frames: Vec<Value> = (0..3)
                .map(|ky| {
                    let frame = padded(ops, &dy, [ky, 0, 2 - ky, 0]);
                    ops.reshape(&frame, &[o, -1])
                })
                .collect();
            (0..9).map(|k| (dy_frames[k / 3].clone(), x_frames[k % 3].clone())).collect()
        }
    };
    let last = ops.ints(&[2]);
    let products: Vec<Value> = pairs
        .iter()
        .map(|(dy, x)| {
            let product = ops.node("Gemm", &[dy, x], vec![attr_int("transB", 1)]);
            ops.node("Unsqueeze", &[&product, &last], vec![])
        })
        .collect();
    let refs: Vec<&Value> = products.iter().collect();
    let dw = ops.node("Concat", &refs, vec![attr_int("axis", 2)]);
    ops.reshape(&dw, &[o, c, 3, 3])
}

#[cfg(test)]
mod tests {
    use super::Shifts;

    /// The gradient checks of `gradcheck.rs` cover each form through these widths.
    #[test]
    fn the_form_with_fewest_copies_is_chosen() {
        assert!(Shifts::fewest(2, 5) == Shifts::X);
        assert!(Shifts::fewest(16, 32) == Shifts::X);
        assert!(Shifts::fewest(5, 2) == Shifts::Dy);
        assert!(Shifts::fewest(48, 16) == Shifts::Dy);
        assert!(Shifts::fewest(4, 3) == Shifts::Split);
        assert!(Shifts::fewest(16, 16) == Shifts::Split);
    }
}
