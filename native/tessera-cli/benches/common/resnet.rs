//! The ResNet-18-shaped model the inference benchmarks run (shared by `apply` and `optimisation`).

use tessera_core::graph::builder::{attr_int, attr_ints};
use tessera_core::graph::proto::DataType;
use tessera_core::graph::{Dim, GraphBuilder, Value};
use tessera_core::rng::Rng;

/// ResNet-18 in inference form (batch normalisation folded into the convolutions' biases), He
/// initialised, ending in a softmax over `classes`.
pub fn resnet18(classes: usize) -> Vec<u8> {
    let mut net = Net { g: GraphBuilder::new("resnet18"), rng: Rng::new(18), count: 0 };
    let x =
        net.g.input("image", DataType::Float, &[Dim::Symbolic("n"), Dim::Fixed(3), Dim::Fixed(224), Dim::Fixed(224)]);
    let stem = net.conv(&x, 3, 64, 7, 2, true);
    let mut y = net.g.node(
        "MaxPool",
        &[&stem],
        vec![attr_ints("kernel_shape", &[3, 3]), attr_ints("strides", &[2, 2]), attr_ints("pads", &[1; 4])],
    );
    let mut channels = 64;
    for (stage, width) in [64, 128, 256, 512].into_iter().enumerate() {
        for block in 0..2 {
            let stride = if stage > 0 && block == 0 { 2 } else { 1 };
            let body = net.conv(&y, channels, width, 3, stride, true);
            let body = net.conv(&body, width, width, 3, 1, false);
            let skip = if stride == 1 && channels == width {
                y.clone()
            } else {
                net.conv(&y, channels, width, 1, stride, false)
            };
            let sum = net.g.node("Add", &[&body, &skip], vec![]);
            y = net.g.node("Relu", &[&sum], vec![]);
            channels = width;
        }
    }
    let pooled = net.g.node("GlobalAveragePool", &[&y], vec![]);
    let flat = net.g.node("Flatten", &[&pooled], vec![]);
    let w = net.weights(&[classes as i64, 512], 512);
    let b = net.g.initializer_f32("fc.b", &[classes as i64], &vec![0.0; classes]);
    let logits = net.g.node("Gemm", &[&flat, &w, &b], vec![attr_int("transB", 1)]);
    let p = net.g.node("Softmax", &[&logits], vec![attr_int("axis", 1)]);
    net.g.output(&p, "probabilities", DataType::Float, &[Dim::Symbolic("n"), Dim::Fixed(classes as i64)]);
    net.g.to_bytes("tessera-bench")
}

struct Net {
    g: GraphBuilder,
    rng: Rng,
    count: usize,
}

impl Net {
    fn weights(&mut self, dims: &[i64], fan_in: usize) -> Value {
        self.count += 1;
        let scale = (2.0 / fan_in as f64).sqrt();
        let data: Vec<f32> = (0..dims.iter().product::<i64>()).map(|_| (self.rng.normal() * scale) as f32).collect();
        self.g.initializer_f32(&format!("w{}", self.count), dims, &data)
    }

    fn conv(&mut self, x: &Value, cin: usize, cout: usize, k: i64, stride: i64, relu: bool) -> Value {
        let w = self.weights(&[cout as i64, cin as i64, k, k], cin * (k * k) as usize);
        let b = self.g.initializer_f32(&format!("b{}", self.count), &[cout as i64], &vec![0.0; cout]);
        let attributes = vec![
            attr_ints("kernel_shape", &[k, k]),
            attr_ints("strides", &[stride, stride]),
            attr_ints("pads", &[k / 2; 4]),
        ];
        let y = self.g.node("Conv", &[x, &w, &b], attributes);
        if relu {
            self.g.node("Relu", &[&y], vec![])
        } else {
            y
        }
    }
}
