#!/usr/bin/env python3
"""The PyTorch CPU reference `tessera` training is measured against (see benches/train.rs).

Reads what train.rs wrote into FOLDER (tiles.u8: N×side×side×3 RGB bytes; state.f32: the initial
parameters and running statistics; data.json: labels, split, per-epoch orders, per-step learning
rates, class weights, hyper-parameters) and trains the same CNN twice from that same start, in
eager NCHW and in channels_last memory format, in lockstep with Tessera: once set up it prints
`ready`, then for each line read from standard input it trains one more epoch of each and prints
one JSON line: for each, the epoch's
training images/s (its first step excluded, validation excluded), its mean training loss and the
validation macro-F1 after it (`score`).

usage:  train_baseline.py FOLDER
needs:  pip install numpy torch   (CPU build is enough; only this benchmark uses PyTorch)
"""
import json
import sys
import time

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F


def network(data):
    """Blocks of 3×3 conv (no bias), batch norm, ReLU, 2×2 max pool; global average pool; linear."""
    bn = data["batchnorm"]
    layers, channels = [], 3
    for block in range(data["depth"]):
        width = data["width"] << block
        layers += [nn.Conv2d(channels, width, 3, padding=1, bias=False),
                   nn.BatchNorm2d(width, eps=bn["eps"], momentum=bn["momentum"]), nn.ReLU(), nn.MaxPool2d(2)]
        channels = width
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(channels, len(data["classes"]))]
    return nn.Sequential(*layers)


def tessera_names(model):
    """Maps Tessera's state tensor names to the model's parameters and buffers."""
    names, block = {}, 0
    for module in model:
        if isinstance(module, nn.Conv2d):
            names[f"block{block}.conv.weight"] = module.weight
        elif isinstance(module, nn.BatchNorm2d):
            prefix = f"block{block}.bn"
            names.update({f"{prefix}.gamma": module.weight, f"{prefix}.beta": module.bias,
                          f"{prefix}.running_mean": module.running_mean, f"{prefix}.running_var": module.running_var})
            block += 1
        elif isinstance(module, nn.Linear):
            names.update({"head.weight": module.weight, "head.bias": module.bias})
    return names


def load_state(model, data, values):
    names = tessera_names(model)
    with torch.no_grad():
        for entry in data["state"]:
            size = int(np.prod(entry["shape"]))
            tensor = torch.from_numpy(values[entry["offset"] // 4:entry["offset"] // 4 + size].copy())
            names[entry["name"]].copy_(tensor.reshape(entry["shape"]))


def batch(tiles, indices, channels_last):
    x = torch.from_numpy(tiles[indices]).permute(0, 3, 1, 2).float().div_(127.5).sub_(1.0)
    return x.contiguous(memory_format=torch.channels_last if channels_last else torch.contiguous_format)


def macro_f1(truth, predicted, classes):
    """Mean F1 over the classes present in the truth (Tessera's definition)."""
    scores = []
    for c in range(classes):
        support = np.sum(truth == c)
        if support == 0:
            continue
        hits = np.sum((truth == c) & (predicted == c))
        precision = hits / max(np.sum(predicted == c), 1)
        recall = hits / support
        scores.append(0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall))
    return float(np.mean(scores))


class Trainer:
    """One model trained from the shared start, an epoch at a time."""

    def __init__(self, data, tiles, labels, values, channels_last):
        torch.manual_seed(0)
        model = network(data)
        load_state(model, data, values)
        if channels_last:
            model = model.to(memory_format=torch.channels_last)
        # Weight decay on weights only (convolutions and the linear layer), as in Tessera.
        decay = [p for n, p in model.named_parameters() if n.endswith("weight") and p.dim() > 1]
        rest = [p for n, p in model.named_parameters() if not (n.endswith("weight") and p.dim() > 1)]
        adamw = data["adamw"]
        self.optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": adamw["weight_decay"]},
                                            {"params": rest, "weight_decay": 0.0}],
                                           lr=data["learning_rates"][0], betas=tuple(adamw["betas"]), eps=adamw["eps"])
        self.weights = torch.tensor(data["class_weights"], dtype=torch.float32)
        self.model, self.data, self.tiles, self.labels = model, data, tiles, labels
        self.channels_last, self.epochs_done, self.step = channels_last, 0, 0
        model.train()

    def epoch(self):
        data, size = self.data, self.data["batch_size"]
        order = data["orders"][self.epochs_done]
        steps = len(order) // size
        timed, images, loss_sum = 0.0, 0, 0.0
        for s in range(steps):
            start = time.perf_counter()
            indices = order[s * size:(s + 1) * size]
            x, y = batch(self.tiles, indices, self.channels_last), torch.from_numpy(self.labels[indices])
            for group in self.optimizer.param_groups:
                group["lr"] = data["learning_rates"][self.step]
            self.optimizer.zero_grad(set_to_none=True)
            loss = F.cross_entropy(self.model(x), y, weight=self.weights)
            loss.backward()
            self.optimizer.step()
            if s > 0:
                timed += time.perf_counter() - start
                images += len(indices)
            loss_sum += loss.item()
            self.step += 1
        self.epochs_done += 1
        f1 = evaluate(self.model, data, self.tiles, self.labels, self.channels_last)
        return {"rate": images / timed, "loss": loss_sum / steps, "score": f1}


def evaluate(model, data, tiles, labels, channels_last):
    """Validation macro-F1 in eval mode (running statistics); leaves the model in training mode."""
    model.eval()
    validation, size, predicted = np.array(data["validation"]), data["batch_size"], []
    with torch.inference_mode():
        for start in range(0, len(validation), size):
            predicted.append(model(batch(tiles, validation[start:start + size], channels_last)).argmax(1).numpy())
    model.train()
    return macro_f1(labels[validation], np.concatenate(predicted), len(data["classes"]))


def main(folder):
    data = json.load(open(f"{folder}/data.json"))
    torch.set_num_threads(data["threads"])
    side = data["tile"]
    tiles = np.fromfile(f"{folder}/tiles.u8", dtype=np.uint8).reshape(-1, side, side, 3)
    labels = np.array(data["labels"], dtype=np.int64)
    values = np.fromfile(f"{folder}/state.f32", dtype="<f4")
    eager = Trainer(data, tiles, labels, values, False)
    channels_last = Trainer(data, tiles, labels, values, True)
    print("ready", flush=True)
    for _ in sys.stdin:
        print(json.dumps({"eager": eager.epoch(), "channels_last": channels_last.epoch()}), flush=True)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
