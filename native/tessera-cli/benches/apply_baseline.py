#!/usr/bin/env python3
"""The Python pipeline `tessera apply` is measured against (see benches/apply.rs).

openslide-python reads each tile, numpy normalises it, onnxruntime-python runs the same ONNX model
in batches on the same number of threads. Prints JSON: end-to-end and model-only tiles/s, and a
PyTorch eager ResNet-18 pipeline's tiles/s when torch is installed (null otherwise).

usage:  apply_baseline.py SLIDE TILES.json MODEL.onnx BATCH THREADS
needs:  pip install openslide-python numpy onnxruntime==1.31.1   (torch optional, CPU build)
"""
import json
import sys
import time

import numpy as np
import onnxruntime as ort
import openslide

MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32).reshape(3, 1, 1)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32).reshape(3, 1, 1)


def tile(slide, x, y, size):
    rgb = np.asarray(slide.read_region((x, y), 0, (size, size)))[:, :, :3]
    return (rgb.transpose(2, 0, 1).astype(np.float32) / 255.0 - MEAN) / STD


def batches(slide, tiles, size, batch):
    for start in range(0, len(tiles), batch):
        yield np.stack([tile(slide, x, y, size) for x, y in tiles[start:start + batch]])


def torch_rate(slide, tiles, size, batch, threads):
    try:
        import torch
        from torch import nn
    except ImportError:
        return None
    # The same threads as ONNX Runtime: torch otherwise takes every core for intra-op work and
    # starts an inter-op pool as large.
    torch.set_num_threads(threads)
    torch.set_num_interop_threads(1)

    class Block(nn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.c1 = nn.Conv2d(cin, cout, 3, stride, 1)
            self.c2 = nn.Conv2d(cout, cout, 3, 1, 1)
            self.down = nn.Conv2d(cin, cout, 1, stride) if stride != 1 or cin != cout else None

        def forward(self, x):
            skip = x if self.down is None else self.down(x)
            return torch.relu(self.c2(torch.relu(self.c1(x))) + skip)

    widths = [64, 128, 256, 512]
    layers = [nn.Conv2d(3, 64, 7, 2, 3), nn.ReLU(), nn.MaxPool2d(3, 2, 1)]
    cin = 64
    for i, w in enumerate(widths):
        layers += [Block(cin, w, 1 if i == 0 else 2), Block(w, w, 1)]
        cin = w
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, 2), nn.Softmax(1)]
    model = nn.Sequential(*layers).eval()
    with torch.inference_mode():
        model(torch.from_numpy(next(batches(slide, tiles[:batch], size, batch))))  # warm-up, as for ORT
        start = time.perf_counter()
        for b in batches(slide, tiles, size, batch):
            model(torch.from_numpy(b))
    return len(tiles) / (time.perf_counter() - start)


def main(slide_path, tiles_path, model_path, batch, threads):
    plan = json.load(open(tiles_path))
    size, tiles = plan["tile_size"], plan["tiles"]
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    session = ort.InferenceSession(model_path, options, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    slide = openslide.OpenSlide(slide_path)
    session.run(None, {name: next(batches(slide, tiles[:batch], size, batch))})  # warm-up
    start = time.perf_counter()
    for b in batches(slide, tiles, size, batch):
        session.run(None, {name: b})
    end_to_end = len(tiles) / (time.perf_counter() - start)
    decoded = list(batches(slide, tiles, size, batch))
    start = time.perf_counter()
    for b in decoded:
        session.run(None, {name: b})
    model_only = len(tiles) / (time.perf_counter() - start)
    del decoded
    print(json.dumps({"end_to_end": end_to_end, "model_only": model_only,
                      "torch": torch_rate(slide, tiles, size, batch, threads)}))


if __name__ == "__main__":
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
