#!/usr/bin/python3
"""Prints a --box for an MNIST test image with its first N non-zero pixels free within +-R (the
rest fixed): bench/mnist_box.py SAMPLE N R. Small boxes on real data for the solver benchmarks."""
import gzip, os, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qebverif as q

sample, free, radius = map(int, sys.argv[1:4])
with gzip.open(os.path.join(q.DATA, "mnist", "t10k-images-idx3-ubyte.gz")) as f:
    image = f.read()[16 + 784 * sample:16 + 784 * (sample + 1)]
out, freed = [], 0
for p in image:
    if p > 0 and freed < free:
        out.append(f"{max(0, p - radius)}:{min(255, p + radius)}")
        freed += 1
    else:
        out.append(str(p))
print(",".join(out))
