"""The U-Net of Tessera's `graph::unet` in PyTorch, for the benchmarks that compare against it.

`python3 unet_reference.py gradients FILE.json` reads a batch, a U-Net's parameters and running
statistics and Tessera's loss and gradients (written by `cargo bench --bench unet_autograd`),
recomputes them with PyTorch's float64 autograd and prints one JSON line: the loss of each and
the worst relative difference of each parameter's gradient (largest absolute difference over the
largest absolute value).
"""

import json
import sys

import torch
import torch.nn.functional as F

EPSILON = 1e-5
MOMENTUM = 0.1
SMOOTHING = 1.0


def unet_logits(x, params, buffers, depth, training=True):
    """Tessera's U-Net forward: `params`/`buffers` map Tessera's tensor names to tensors."""

    def norm(v, name):
        return F.batch_norm(
            v,
            buffers[name + ".running_mean"],
            buffers[name + ".running_var"],
            params[name + ".gamma"],
            params[name + ".beta"],
            training=training,
            momentum=MOMENTUM,
            eps=EPSILON,
        )

    def block(v, name):
        for unit in (1, 2):
            v = F.conv2d(v, params[f"{name}.conv{unit}.weight"], padding=1)
            v = F.relu(norm(v, f"{name}.bn{unit}"))
        return v

    def level(v, at):
        e = block(v, f"down{at}")
        if at < depth:
            below = level(F.max_pool2d(e, 2), at + 1)
            e = block(torch.cat([e, F.interpolate(below, scale_factor=2, mode="nearest")], 1), f"up{at}")
        return e

    return F.conv2d(level(x, 0), params["head.weight"], params["head.bias"])


def pixel_loss(logits, labels, weights, kind):
    """Tessera's pixel losses: weighted cross-entropy ignoring label -1, soft Dice, or their sum."""
    cross_entropy = F.cross_entropy(logits, labels, weight=weights, ignore_index=-1)
    p = logits.softmax(1)
    valid = (labels >= 0).unsqueeze(1).to(p.dtype)
    onehot = F.one_hot(labels.clamp(min=0), logits.shape[1]).permute(0, 3, 1, 2).to(p.dtype) * valid
    intersection = (p * valid * onehot).sum((0, 2, 3))
    total = (p * valid).sum((0, 2, 3)) + onehot.sum((0, 2, 3))
    dice = 1 - ((2 * intersection + SMOOTHING) / (total + SMOOTHING)).mean()
    return {"cross_entropy": cross_entropy, "dice": dice, "cross_entropy_dice": cross_entropy + dice}[kind]


def tensors(named, grad):
    return {k: torch.tensor(v["data"], dtype=torch.float64).reshape(v["shape"]).requires_grad_(grad) for k, v in named.items()}


def gradients(path):
    d = json.load(open(path))
    params, buffers = tensors(d["params"], True), tensors(d["buffers"], False)
    x = torch.tensor(d["x"], dtype=torch.float64).reshape(d["input_shape"])
    labels = torch.tensor(d["labels"]).reshape(d["label_shape"])
    weights = torch.tensor(d["class_weights"], dtype=torch.float64)
    loss = pixel_loss(unet_logits(x, params, buffers, d["depth"]), labels, weights, d["loss_kind"])
    loss.backward()
    worst = {}
    for name, grad in d["gradients"].items():
        exact = params[name].grad.flatten()
        ours = torch.tensor(grad, dtype=torch.float64)
        worst[name] = ((exact - ours).abs().max() / exact.abs().max().clamp(min=1e-12)).item()
    print(json.dumps({"torch_loss": loss.item(), "tessera_loss": d["loss"], "worst": worst}))


if __name__ == "__main__":
    if sys.argv[1:2] == ["gradients"]:
        gradients(sys.argv[2])
    else:
        sys.exit("usage: unet_reference.py gradients FILE.json")
