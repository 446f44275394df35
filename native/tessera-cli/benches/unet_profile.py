#!/usr/bin/env python3
"""Where a U-Net training step spends its time (see benches/unet_train.rs): ONNX Runtime's profile
of Tessera's training graph, beside PyTorch's profile of the reference's eager step.

Reads what `TESSERA_PROFILE=FOLDER cargo bench -p tessera-cli --bench unet_train` wrote into FOLDER
(training.onnx and the reference's inputs), runs STEPS training steps of batches of the first
epoch's order in each — the graph in an ONNX Runtime session set up as Tessera sets up its
training sessions (extended graph optimisation, the bench's threads, spinning), PyTorch through
unet_train_baseline.py's trainer — and prints the milliseconds per step of each operator type
(ONNX Runtime's node kernel times, the im2col convolutions of the weight gradients apart from
the other convolutions; PyTorch's self CPU time per aten operator), the first two steps left
out as warm-up.

usage:  unet_profile.py FOLDER [STEPS]
needs:  pip install numpy torch onnxruntime
"""
import glob
import json
import os
import sys
import time
from collections import defaultdict

import numpy as np
import onnxruntime as ort
import torch
from torch.profiler import ProfilerActivity, profile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from unet_train_baseline import load  # noqa: E402

WARM_UP = 2


def operator(node):
    """The node's operator type; the grouped one-hot convolutions of the weight gradients' im2col apart."""
    shapes = [next(iter(t.values())) for t in node.get("input_type_shape", [])]
    if node["op_name"] == "Conv" and len(shapes) > 1 and shapes[1][1] == 1 and shapes[1][0] == 9 * shapes[0][1]:
        return "Conv (im2col of a weight gradient)"
    return node["op_name"]


def onnx_runtime(folder, trainer, steps):
    data = trainer.data
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    options.intra_op_num_threads = data["threads"]
    options.add_session_config_entry("session.intra_op.allow_spinning", "1")
    options.enable_profiling = True
    options.profile_file_prefix = os.path.join(folder, "ort-profile")
    session = ort.InferenceSession(os.path.join(folder, "training.onnx"), options, providers=["CPUExecutionProvider"])
    values = np.fromfile(os.path.join(folder, "state.f32"), dtype="<f4")
    state = {e["name"]: values[e["offset"] // 4:e["offset"] // 4 + int(np.prod(e["shape"]))].reshape(e["shape"])
             for e in data["state"]}
    # The optimizer's moments start at zero (Tessera's initial state; not among the reference's inputs).
    feeds = {i.name: state.get(i.name, np.zeros(i.shape, dtype=np.float32)) for i in session.get_inputs()
             if i.name not in ("input", "labels", "lr", "step")}
    order, size = data["orders"][0], data["batch_size"]
    walls = []
    for s in range(steps):
        x, y = trainer.batch(order[s * size:(s + 1) * size])
        start = time.perf_counter()
        session.run(None, {**feeds, "input": x.numpy(), "labels": y.numpy(),
                           "lr": np.array(1e-3, dtype=np.float32), "step": np.array(s + 1.0, dtype=np.float32)})
        walls.append(time.perf_counter() - start)
    events = json.load(open(session.end_profiling()))
    runs = sorted(e["ts"] for e in events if e.get("name") == "model_run")
    after = runs[WARM_UP] if len(runs) > WARM_UP else 0
    by_op = defaultdict(float)
    for e in events:
        if e.get("cat") == "Node" and e["name"].endswith("_kernel_time") and e["ts"] >= after:
            by_op[operator(e["args"])] += e["dur"] / 1000
    for path in glob.glob(os.path.join(folder, "ort-profile*.json")):
        os.remove(path)
    return np.median(walls[WARM_UP:]) * 1000, by_op


def pytorch(trainer, steps):
    order, size = trainer.data["orders"][0], trainer.data["batch_size"]
    walls = []
    for s in range(WARM_UP):
        trainer.train_step(order[s * size:(s + 1) * size])
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        for s in range(WARM_UP, steps):
            start = time.perf_counter()
            trainer.train_step(order[s * size:(s + 1) * size])
            walls.append(time.perf_counter() - start)
    by_op = {e.key: e.self_cpu_time_total / 1000 for e in prof.key_averages()}
    return np.median(walls) * 1000, by_op


def table(title, wall, by_op, timed):
    total = sum(by_op.values()) / timed
    print(f"{title}: {wall:.0f} ms per step (median wall), {total:.0f} ms in operators")
    for op, ms in sorted(by_op.items(), key=lambda kv: -kv[1])[:14]:
        print(f"    {op:<40} {ms / timed:8.1f} ms  {100 * ms / timed / total:5.1f} %")


def main(folder, steps):
    trainer = load(folder)
    steps = min(steps, len(trainer.data["orders"][0]) // trainer.data["batch_size"])
    wall, by_op = onnx_runtime(folder, trainer, steps)
    table("ONNX Runtime, Tessera's training graph", wall, by_op, steps - WARM_UP)
    wall, by_op = pytorch(trainer, steps)
    table("PyTorch eager", wall, by_op, steps - WARM_UP)


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) == 3 else 10)
