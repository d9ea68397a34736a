#!/usr/bin/env python3
"""Writes the small fixtures of lib/data's tests with independent tools:
scipy.io.savemat (SVHN .mat, compressed and not) and numpy.savez /
numpy.savez_compressed (downsampled ImageNet .npz).

Run with Debian's python3 (packages python3-scipy, python3-numpy):
    /usr/bin/python3 lib/data/testdata/make_fixtures.py
The Go tests compute the same pixel formula and compare every byte.
"""
import os
import numpy as np
import scipy.io

here = os.path.dirname(os.path.abspath(__file__))

def pixel(n, row, col, ch):
    # The formula the Go tests use: image n, row, column, channel.
    return (n * 37 + row * 5 + col * 3 + ch * 101) % 256

# SVHN: X is 32x32x3xN uint8 (row, column, channel, image), y is Nx1 with 10 for the digit 0.
n = 5
X = np.zeros((32, 32, 3, n), dtype=np.uint8)
for i in range(n):
    for r in range(32):
        for c in range(32):
            for ch in range(3):
                X[r, c, ch, i] = pixel(i, r, c, ch)
y = np.array([[1], [10], [3], [10], [9]], dtype=np.float64)
scipy.io.savemat(os.path.join(here, "svhn", "uncompressed", "train_32x32.mat"), {"X": X, "y": y}, do_compression=False)
scipy.io.savemat(os.path.join(here, "svhn", "compressed", "train_32x32.mat"), {"X": X, "y": y}, do_compression=True)

# Downsampled ImageNet: data uint8 [N, 3*S*S] (R plane, G plane, B plane), labels 1..1000.
for size in (32,):
    for name, save, labels in (("train_data_batch_1.npz", np.savez, [1, 5, 1000, 2]),
                               ("train_data_batch_2.npz", np.savez_compressed, [7, 7]),
                               ("val_data.npz", np.savez_compressed, [3, 999, 1])):
        count = len(labels)
        data = np.zeros((count, 3 * size * size), dtype=np.uint8)
        for i in range(count):
            for ch in range(3):
                for r in range(size):
                    for c in range(size):
                        data[i, ch * size * size + r * size + c] = pixel(i, r, c, ch)
        save(os.path.join(here, "imagenet%d" % size, name), data=data, labels=labels, mean=np.zeros(3 * size * size))
print("fixtures written under", here)
