//! Optimizer updates as graph nodes: AdamW and SGD with momentum, as PyTorch defines them.

use serde::{Deserialize, Serialize};

use super::builder::Value;
use super::ops::Ops;

/// An optimizer and its hyper-parameters; the learning rate and the step number are graph
/// inputs, so schedules need no new graph.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Optimizer {
    /// AdamW (decoupled weight decay): `p ← p (1 − lr λ) − lr m̂ / (√v̂ + ε)`.
    AdamW {
        /// Decay of the first moment.
        beta1: f32,
        /// Decay of the second moment.
        beta2: f32,
        /// Added to the denominator.
        epsilon: f32,
        /// Decoupled weight decay λ (only on tensors marked for decay).
        weight_decay: f32,
    },
    /// SGD with momentum: `b ← μ b + g + λ p`, `p ← p − lr b`.
    Sgd {
        /// Momentum μ.
        momentum: f32,
        /// L2 weight decay λ (only on tensors marked for decay).
        weight_decay: f32,
    },
}

impl Default for Optimizer {
    /// AdamW with PyTorch's defaults.
    fn default() -> Self {
        Optimizer::AdamW { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weight_decay: 0.01 }
    }
}

/// One parameter to update: its value, gradient and optimizer state (in [`Optimizer::slots`] order).
pub struct Update<'a> {
    /// The parameter.
    pub param: &'a Value,
    /// Its gradient.
    pub grad: &'a Value,
    /// Its optimizer state.
    pub slots: &'a [Value],
    /// Whether weight decay applies.
    pub decay: bool,
}

impl Optimizer {
    /// The names of the per-parameter state tensors, each shaped like the parameter and
    /// starting at zero.
    pub fn slots(&self) -> &'static [&'static str] {
        match self {
            Optimizer::AdamW { .. } => &["adam_m", "adam_v"],
            Optimizer::Sgd { .. } => &["momentum"],
        }
    }

    /// Emits the update of every parameter for learning rate `lr` and 1-based step number `step`
    /// (f32 scalars); returns each new parameter followed by its new state.
    pub fn emit(&self, ops: &mut Ops, lr: &Value, step: &Value, updates: &[Update]) -> Vec<(Value, Vec<Value>)> {
        match *self {
            Optimizer::AdamW { beta1, beta2, epsilon, weight_decay } => {
                let hyper = AdamHyper::emit(ops, lr, step, beta1, beta2, weight_decay);
                updates.iter().map(|u| adamw(ops, &hyper, u, (beta1, beta2, epsilon))).collect()
            }
            Optimizer::Sgd { momentum, weight_decay } => {
                updates.iter().map(|u| sgd(ops, lr, u, momentum, weight_decay)).collect()
            }
        }
    }
}

/// The scalars AdamW shares between parameters.
struct AdamHyper {
    /// `lr / (1 − β₁ᵗ)`.
    step_size: Value,
    /// `√(1 − β₂ᵗ)`.
    root_correction: Value,
    /// `1 − lr λ`.
    decay_factor: Value,
}

impl AdamHyper {
    fn emit(ops: &mut Ops, lr: &Value, step: &Value, beta1: f32, beta2: f32, weight_decay: f32) -> Self {
        let one = ops.scalar(1.0);
        let mut correction = |beta: f32| {
            let beta = ops.scalar(beta);
            let power = ops.node("Pow", &[&beta, step], vec![]);
            ops.sub(&one, &power)
        };
        let (c1, c2) = (correction(beta1), correction(beta2));
        let step_size = ops.div(lr, &c1);
        let root_correction = ops.unary("Sqrt", &c2);
        let lr_decay = ops.scale(lr, weight_decay);
        let decay_factor = ops.sub(&one, &lr_decay);
        Self { step_size, root_correction, decay_factor }
    }
}

/// `β s + (1 − β) x`.
fn moving_average(ops: &mut Ops, state: &Value, x: &Value, beta: f32) -> Value {
    let kept = ops.scale(state, beta);
    let new = ops.scale(x, 1.0 - beta);
    ops.add(&kept, &new)
}

fn adamw(
    ops: &mut Ops,
    hyper: &AdamHyper,
    u: &Update,
    (beta1, beta2, epsilon): (f32, f32, f32),
) -> (Value, Vec<Value>) {
    let m = moving_average(ops, &u.slots[0], u.grad, beta1);
    let g2 = ops.mul(u.grad, u.grad);
    let v = moving_average(ops, &u.slots[1], &g2, beta2);
    let root = ops.unary("Sqrt", &v);
    let root = ops.div(&root, &hyper.root_correction);
    let eps = ops.scalar(epsilon);
    let denominator = ops.add(&root, &eps);
    let direction = ops.div(&m, &denominator);
    let delta = ops.mul(&direction, &hyper.step_size);
    let base = if u.decay { ops.mul(u.param, &hyper.decay_factor) } else { u.param.clone() };
    (ops.sub(&base, &delta), vec![m, v])
}

fn sgd(ops: &mut Ops, lr: &Value, u: &Update, momentum: f32, weight_decay: f32) -> (Value, Vec<Value>) {
    let grad = if u.decay {
        let decay = ops.scale(u.param, weight_decay);
        ops.add(u.grad, &decay)
    } else {
        u.grad.clone()
    };
    let kept = ops.scale(&u.slots[0], momentum);
    let buffer = ops.add(&kept, &grad);
    let delta = ops.mul(&buffer, lr);
    (ops.sub(u.param, &delta), vec![buffer])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::builder::Dim;
    use crate::graph::proto::DataType;
    use crate::train::session::Feed;
    use crate::train::testing::run;

    const P: [f32; 4] = [0.5, -1.25, 2.0, 0.0];
    const G: [f32; 4] = [0.1, -0.3, 2.5, -1e-3];
    const M: [f32; 4] = [0.01, 0.02, -0.5, 0.0];
    const V: [f32; 4] = [1e-3, 0.2, 0.5, 1e-6];

    /// Runs one update of a 4-element parameter; returns the new parameter and state.
    fn update(optimizer: Optimizer, decay: bool, lr: f32, step: f32) -> Vec<Vec<f32>> {
        let mut ops = Ops::new("update");
        let dims = [Dim::Fixed(4)];
        let lr_in = ops.input("lr", DataType::Float, &[]);
        let step_in = ops.input("step", DataType::Float, &[]);
        let p = ops.input("p", DataType::Float, &dims);
        let g = ops.input("g", DataType::Float, &dims);
        let slots: Vec<Value> = optimizer.slots().iter().map(|s| ops.input(s, DataType::Float, &dims)).collect();
        let out = optimizer.emit(&mut ops, &lr_in, &step_in, &[Update { param: &p, grad: &g, slots: &slots, decay }]);
        let mut b = ops.into_builder();
        let (new_p, new_slots) = &out[0];
        for (i, v) in std::iter::once(new_p).chain(new_slots).enumerate() {
            b.output(v, &format!("o{i}"), DataType::Float, &dims);
        }
        let (lr, step) = ([lr], [step]);
        let mut feeds = vec![
            Feed::f32("lr", &[], &lr),
            Feed::f32("step", &[], &step),
            Feed::f32("p", &[4], &P),
            Feed::f32("g", &[4], &G),
        ];
        let state = [&M, &V];
        feeds.extend(optimizer.slots().iter().zip(state).map(|(s, d)| Feed::f32(s, &[4], d)));
        run(&b.to_bytes("test"), &feeds).into_iter().map(|t| t.data).collect()
    }

    fn assert_close(got: &[f32], want: &[f64], what: &str) {
        for (g, w) in got.iter().zip(want) {
            assert!((*g as f64 - w).abs() <= 1e-6 * w.abs().max(1.0), "{what}: {got:?} vs {want:?}");
        }
    }

    #[test]
    fn one_adamw_step_is_the_closed_form() {
        let (b1, b2, eps, wd, lr, t) = (0.9, 0.999, 1e-8, 0.05, 0.01, 3.0);
        let optimizer =
            Optimizer::AdamW { beta1: b1 as f32, beta2: b2 as f32, epsilon: eps as f32, weight_decay: wd as f32 };
        for decay in [true, false] {
            let got = update(optimizer, decay, lr as f32, t as f32);
            let (mut p, mut m, mut v) = (vec![], vec![], vec![]);
            for i in 0..4 {
                let g = G[i] as f64;
                let mi = b1 * M[i] as f64 + (1.0 - b1) * g;
                let vi = b2 * V[i] as f64 + (1.0 - b2) * g * g;
                let m_hat = mi / (1.0 - f64::powf(b1, t));
                let v_hat = vi / (1.0 - f64::powf(b2, t));
                let decayed = if decay { P[i] as f64 * (1.0 - lr * wd) } else { P[i] as f64 };
                p.push(decayed - lr * m_hat / (v_hat.sqrt() + eps));
                m.push(mi);
                v.push(vi);
            }
            assert_close(&got[0], &p, "parameter");
            assert_close(&got[1], &m, "first moment");
            assert_close(&got[2], &v, "second moment");
        }
    }

    #[test]
    fn one_sgd_step_is_the_closed_form() {
        let (mu, wd, lr) = (0.9, 1e-2, 0.1);
        let got = update(Optimizer::Sgd { momentum: mu as f32, weight_decay: wd as f32 }, true, lr as f32, 1.0);
        let buffer: Vec<f64> = (0..4).map(|i| mu * M[i] as f64 + G[i] as f64 + wd * P[i] as f64).collect();
        let p: Vec<f64> = (0..4).map(|i| P[i] as f64 - lr * buffer[i]).collect();
        assert_close(&got[0], &p, "parameter");
        assert_close(&got[1], &buffer, "momentum");
    }
}
