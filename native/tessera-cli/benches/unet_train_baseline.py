#!/usr/bin/env python3
"""The PyTorch CPU reference Tessera's U-Net training is measured against (see benches/unet_train.rs).

Reads what unet_train.rs wrote into FOLDER (patches.u8: N×side×side×3 RGB bytes; masks.u8:
N×side×side class indices, 255 where unlabelled; state.f32: the initial parameters and running
statistics; data.json: split, per-epoch orders, per-step learning rates, class weights,
hyper-parameters) and trains the U-Net of unet_reference.py (the same network and loss) from that
start in eager mode (NCHW), in lockstep with Tessera: once set up it prints `ready`, then for each
line read from standard input it trains one more epoch and prints one JSON line
`{"eager": {rate, loss, score}}`: the epoch's training images/s (its first step excluded,
validation excluded), its mean training loss and the validation mean IoU over the labelled pixels
after it (`score`).

usage:  unet_train_baseline.py FOLDER
needs:  pip install numpy torch   (CPU build is enough)
"""
import json
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from unet_reference import pixel_loss, unet_logits  # noqa: E402


def mean_iou(confusion):
    """Mean IoU over the classes present in the truth (rows: truth), Tessera's definition."""
    hits = np.diag(confusion)
    support, predicted = confusion.sum(1), confusion.sum(0)
    present = support > 0
    return float(np.mean(hits[present] / (support + predicted - hits)[present]))


class Trainer:
    """The U-Net trained from the shared start, an epoch at a time."""

    def __init__(self, data, patches, labels, values):
        self.params, self.buffers = {}, {}
        for entry in data["state"]:
            size = int(np.prod(entry["shape"]))
            start = entry["offset"] // 4
            tensor = torch.from_numpy(values[start:start + size].copy()).reshape(entry["shape"])
            if entry["name"].endswith(("running_mean", "running_var")):
                self.buffers[entry["name"]] = tensor
            else:
                self.params[entry["name"]] = tensor.requires_grad_(True)
        # Weight decay on the convolution weights only (the tensors of more than one dimension), as in Tessera.
        decay = [p for p in self.params.values() if p.dim() > 1]
        rest = [p for p in self.params.values() if p.dim() <= 1]
        adamw = data["adamw"]
        self.optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": adamw["weight_decay"]},
                                            {"params": rest, "weight_decay": 0.0}],
                                           lr=data["learning_rates"][0], betas=tuple(adamw["betas"]), eps=adamw["eps"])
        self.weights = torch.tensor(data["class_weights"], dtype=torch.float32)
        self.data, self.patches, self.labels = data, patches, labels
        self.epochs_done, self.step = 0, 0

    def batch(self, indices):
        x = torch.from_numpy(self.patches[indices]).permute(0, 3, 1, 2).float().div_(127.5).sub_(1.0)
        return x.contiguous(), torch.from_numpy(self.labels[indices])

    def logits(self, x, training):
        return unet_logits(x, self.params, self.buffers, self.data["depth"], training=training)

    def train_step(self, indices):
        """One step on patches `indices` at the schedule's next learning rate; returns the loss."""
        x, y = self.batch(indices)
        for group in self.optimizer.param_groups:
            group["lr"] = self.data["learning_rates"][self.step]
        self.optimizer.zero_grad(set_to_none=True)
        loss = pixel_loss(self.logits(x, True), y, self.weights, self.data["loss"])
        loss.backward()
        self.optimizer.step()
        self.step += 1
        return loss.item()

    def epoch(self):
        data, size = self.data, self.data["batch_size"]
        order = data["orders"][self.epochs_done]
        steps = len(order) // size
        timed, images, loss_sum = 0.0, 0, 0.0
        for s in range(steps):
            start = time.perf_counter()
            loss = self.train_step(order[s * size:(s + 1) * size])
            if s > 0:
                timed += time.perf_counter() - start
                images += size
            loss_sum += loss
        self.epochs_done += 1
        return {"rate": images / timed, "loss": loss_sum / steps, "score": self.validation_mean_iou()}

    def validation_mean_iou(self):
        """Over the validation patches' labelled pixels, in eval mode (running statistics)."""
        validation, size, k = self.data["validation"], self.data["batch_size"], len(self.data["classes"])
        confusion = np.zeros((k, k), dtype=np.int64)
        with torch.inference_mode():
            for start in range(0, len(validation), size):
                x, y = self.batch(validation[start:start + size])
                predicted, y = self.logits(x, False).argmax(1).numpy().ravel(), y.numpy().ravel()
                labelled = y >= 0
                confusion += np.bincount(y[labelled] * k + predicted[labelled], minlength=k * k).reshape(k, k)
        return mean_iou(confusion)


def load(folder):
    """The trainer of what unet_train.rs wrote into `folder`, set to its threads."""
    data = json.load(open(f"{folder}/data.json"))
    torch.set_num_threads(data["threads"])
    side = data["patch"]
    patches = np.fromfile(f"{folder}/patches.u8", dtype=np.uint8).reshape(-1, side, side, 3)
    labels = np.fromfile(f"{folder}/masks.u8", dtype=np.uint8).reshape(-1, side, side).astype(np.int64)
    labels[labels == 255] = -1
    return Trainer(data, patches, labels, np.fromfile(f"{folder}/state.f32", dtype="<f4"))


def main(folder):
    eager = load(folder)
    print("ready", flush=True)
    for _ in sys.stdin:
        print(json.dumps({"eager": eager.epoch()}), flush=True)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
