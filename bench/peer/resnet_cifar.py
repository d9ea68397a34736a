#!/usr/bin/env python3
"""PyTorch peer of `prune bench train`: the same CIFAR ResNet (He et al. 2016,
sec. 4.2, with 1x1 projection shortcuts and batch norm where a stage starts)
on random CIFAR-shaped data, or the same MLP (784-512-256-10, ReLU) on random
Fashion-MNIST-shaped data; the same SGD (Nesterov momentum 0.9, weight decay
5e-4 except on batch norm and biases, lr 0.1) and batch; prints the same two
throughputs (median over timed steps, after one warm-up step).

Run with Debian's PyTorch (python3-torch) on the CPU:
    /usr/bin/python3 bench/peer/resnet_cifar.py --model resnet20 --batch 128
    /usr/bin/python3 bench/peer/resnet_cifar.py --model mlp
and on a GPU (the times then wait for the device: torch.cuda.synchronize):
    python3 bench/peer/resnet_cifar.py --model resnet18 --device cuda --steps 20
"""
import argparse
import os
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.short = None
        if cin != cout:
            self.short = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, 0, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + (x if self.short is None else self.short(x)))


class ResNet(nn.Module):
    """n basic blocks per stage at the given widths: the CIFAR ResNets (depth
    6n+2, widths 16/32/64) and, with n=2 and widths 64..512, the project's
    resnet18 (the CIFAR stem: one 3x3 convolution, no max-pool)."""

    def __init__(self, n, widths=(16, 32, 64), classes=10):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, widths[0], 3, 1, 1, bias=False), nn.BatchNorm2d(widths[0]), nn.ReLU())
        layers, cin = [], widths[0]
        for s, w in enumerate(widths):
            for b in range(n):
                layers.append(Block(cin, w, 2 if s > 0 and b == 0 else 1))
                cin = w
        self.blocks = nn.Sequential(*layers)
        self.head = nn.Linear(cin, classes)

    def forward(self, x):
        x = self.blocks(self.stem(x))
        return self.head(x.mean(dim=(2, 3)))


class MLP(nn.Module):
    """The project's MLP: flatten, ReLU hidden layers of 512 and 256, linear head."""

    def __init__(self, inputs, hidden=(512, 256), classes=10):
        super().__init__()
        layers, n = [], inputs
        for h in hidden:
            layers += [nn.Linear(n, h), nn.ReLU()]
            n = h
        layers.append(nn.Linear(n, classes))
        self.layers = nn.Sequential(*layers)

    def forward(self, x):
        return self.layers(x.flatten(1))


def blas_library():
    """The BLAS library this process loaded (torch's CPU matrix products go
    through it: Debian builds torch with BLAS_INFO=generic), by its real path:
    the reference BLAS, OpenBLAS or another, as the system's alternatives or
    LD_LIBRARY_PATH chose it."""
    torch.mm(torch.ones(64, 64), torch.ones(64, 64))
    with open("/proc/self/maps") as f:
        paths = {line.split()[-1] for line in f if line.split()[-1].startswith("/")}
    names = sorted({os.path.realpath(p) for p in paths if "blas" in os.path.basename(p).lower()})
    return ", ".join(names) if names else "none found"


def sgemm(size, threads, repeats=5):
    """The best of repeats timings of one size x size x size float32 matrix
    product (torch.mm), in GFLOP/s (2 FLOP per multiply-add)."""
    torch.set_num_threads(threads)
    a, b = torch.randn(size, size), torch.randn(size, size)
    torch.mm(a, b)
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        torch.mm(a, b)
        best = min(best, time.perf_counter() - t0)
    return 2 * size ** 3 / best / 1e9


def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="resnet20", choices=["mlp", "mlp-256", "resnet8", "resnet20", "resnet56", "resnet18"])
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--device", default="cpu", help="cpu, or cuda for the GPU check")
    ap.add_argument("--sgemm", type=int, default=0, help="only time a float32 matrix product of this size (the roofline)")
    a = ap.parse_args()
    if a.sgemm:
        rate = sgemm(a.sgemm, a.threads)
        print(f"PyTorch {torch.__version__}, {a.threads} threads, BLAS {blas_library()}")
        print(f"sgemm {a.sgemm}: {rate:.1f} GFLOP/s")
        return
    dev = torch.device(a.device)

    def sync():
        if dev.type == "cuda":
            torch.cuda.synchronize()

    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    if a.model in ("mlp", "mlp-256"):
        shape = (1, 28, 28)  # Fashion-MNIST
        model = MLP(28 * 28, hidden=(512, 256) if a.model == "mlp" else (256,))
    elif a.model == "resnet18":
        shape = (3, 32, 32)
        model = ResNet(2, widths=(64, 128, 256, 512))
    else:
        shape = (3, 32, 32)  # CIFAR
        model = ResNet((int(a.model[6:]) - 2) // 6)
    model = model.to(dev)
    decay = [p for n, p in model.named_parameters() if p.dim() > 1]
    no_decay = [p for n, p in model.named_parameters() if p.dim() <= 1]
    opt = torch.optim.SGD([{"params": decay, "weight_decay": 5e-4}, {"params": no_decay, "weight_decay": 0}],
                          lr=0.1, momentum=0.9, nesterov=True)
    x = torch.randn(a.batch, *shape, device=dev)
    y = torch.randint(0, 10, (a.batch,), device=dev)
    where = f"{torch.get_num_threads()} threads, BLAS {blas_library()}" if dev.type == "cpu" else torch.cuda.get_device_name(dev)
    print(f"PyTorch {torch.__version__}, {where}, {sum(p.numel() for p in model.parameters())} parameters")
    times = []
    model.train()
    for step in range(a.steps + 1):
        sync()
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        sync()
        dt = time.perf_counter() - t0
        if step > 0:
            times.append(dt)
        print(f"train step {step}/{a.steps}: {dt*1000:.0f}ms ({a.batch/dt:.1f} img/s), loss {loss.item():.3f}")
    train = a.batch / median(times)
    model.eval()
    times = []
    with torch.no_grad():
        for call in range(a.steps + 1):
            t0 = time.perf_counter()
            model(x)
            sync()
            if call > 0:
                times.append(time.perf_counter() - t0)
    infer = a.batch / median(times)
    print(f"{a.model} (PyTorch), batch {a.batch}: train {train:.1f} img/s, inference {infer:.1f} img/s")


if __name__ == "__main__":
    main()
