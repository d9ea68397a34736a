#!/usr/bin/env python3
"""PyTorch peer of `prune train`: trains the same CIFAR ResNet (resnet_cifar.py)
with the same recipe on the same CIFAR-10 training subset and prints the test
accuracy, so the two can be compared side by side.

Recipe (as `prune train`'s paper-profile defaults; --batch and --lr set the
cpu profile's 32 and 0.05): batch 128, SGD lr 0.1, Nesterov momentum
0.9, weight decay 5e-4 except batch norm and biases, lr x0.2 at 30/60/80% of
the steps, random crop with 4-pixel zero padding and horizontal flip,
per-channel normalisation. Evaluation uses PyTorch's running batch-norm
statistics (its standard practice); `prune train` recomputes them instead.

    /usr/bin/python3 bench/peer/train_cifar.py --data ../shared/data/cifar-10-batches-bin \\
        --subset ids.txt --model resnet8 --epochs 5
"""
import argparse
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

from resnet_cifar import ResNet

MEAN = np.array([0.4914, 0.4822, 0.4465], dtype=np.float32)
STD = np.array([0.2470, 0.2435, 0.2616], dtype=np.float32)


def read_batches(folder, names):
    xs, ys = [], []
    for n in names:
        raw = np.fromfile(os.path.join(folder, n), dtype=np.uint8).reshape(-1, 3073)
        ys.append(raw[:, 0].astype(np.int64))
        xs.append(raw[:, 1:].reshape(-1, 3, 32, 32))
    return np.concatenate(xs), np.concatenate(ys)


def normalise(x):
    x = x.astype(np.float32) / 255.0
    return (x - MEAN[None, :, None, None]) / STD[None, :, None, None]


def augment(x, rng):
    n = x.shape[0]
    padded = np.pad(x, ((0, 0), (0, 0), (4, 4), (4, 4)))
    out = np.empty_like(x)
    dy, dx, flip = rng.integers(0, 9, n), rng.integers(0, 9, n), rng.random(n) < 0.5
    for i in range(n):
        img = padded[i, :, dy[i]:dy[i] + 32, dx[i]:dx[i] + 32]
        out[i] = img[:, :, ::-1] if flip[i] else img
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--subset", help="file of example IDs cifar10/train/NNNNN")
    ap.add_argument("--model", default="resnet8", choices=["resnet8", "resnet20", "resnet56"])
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=0.1, help="initial learning rate")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--count-parameters", action="store_true", help="print the network's parameter count and exit")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    # ResNet takes blocks per stage: depth 6n+2.
    model = ResNet((int(a.model[6:]) - 2) // 6)
    parameters = sum(p.numel() for p in model.parameters())
    if a.count_parameters:
        print(f"{a.model}: {parameters} parameters")
        return
    rng = np.random.default_rng(a.seed)
    xtr, ytr = read_batches(a.data, [f"data_batch_{i}.bin" for i in range(1, 6)])
    xte, yte = read_batches(a.data, ["test_batch.bin"])
    if a.subset:
        idx = [int(l.strip().rsplit("/", 1)[1]) for l in open(a.subset) if l.strip() and not l.startswith("#")]
        xtr, ytr = xtr[idx], ytr[idx]
    xtr, xte = normalise(xtr), normalise(xte)
    decay = [p for p in model.parameters() if p.dim() > 1]
    no_decay = [p for p in model.parameters() if p.dim() <= 1]
    opt = torch.optim.SGD([{"params": decay, "weight_decay": 5e-4}, {"params": no_decay, "weight_decay": 0}],
                          lr=a.lr, momentum=0.9, nesterov=True)
    steps_per_epoch = (len(ytr) + a.batch - 1) // a.batch
    total = a.epochs * steps_per_epoch
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: 0.2 ** sum(s / total >= m for m in (0.3, 0.6, 0.8)))
    t0 = time.perf_counter()
    for epoch in range(a.epochs):
        model.train()
        perm = rng.permutation(len(ytr))
        loss_sum, correct = 0.0, 0
        for s in range(steps_per_epoch):
            b = perm[s * a.batch:(s + 1) * a.batch]
            x = torch.from_numpy(augment(xtr[b], rng))
            y = torch.from_numpy(ytr[b])
            out = model(x)
            loss = F.cross_entropy(out, y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            loss_sum += loss.item() * len(b)
            correct += (out.argmax(1) == y).sum().item()
        print(f"epoch {epoch + 1}/{a.epochs}: loss {loss_sum / len(ytr):.4f}, train accuracy {correct / len(ytr):.3f}", flush=True)
    train_time = time.perf_counter() - t0
    model.eval()
    hits = 0
    with torch.no_grad():
        for s in range(0, len(yte), 500):
            hits += (model(torch.from_numpy(xte[s:s + 500])).argmax(1) == torch.from_numpy(yte[s:s + 500])).sum().item()
    print(f"PyTorch {torch.__version__}: {a.model} ({parameters} parameters), {len(ytr)} training images, {a.epochs} epochs, "
          f"batch {a.batch}, lr {a.lr}, {len(ytr) * a.epochs / train_time:.0f} img/s")
    print(f"test accuracy: top-1 {hits / len(yte):.4f}")


if __name__ == "__main__":
    main()
