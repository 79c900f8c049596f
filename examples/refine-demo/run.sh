#!/bin/sh
# Counterexample-guided quantization refinement on the QEBVerif 784-100-10 MNIST network:
# the cheapest per-layer bit-widths (w1, w2, h1) under which three MNIST samples, radius 1,
# stay within eps = 1 on every output. Usage: examples/refine-demo/run.sh [path/to/qeb-smt]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${1:-$root/build/src/qeb-smt}
data=$root/../shared/data
out=${OUT:-$here/out}
mkdir -p "$out"

# Activations get 4 integer bits (h = uQ.(Q-4), range up to 16): with the preset's 2 the QNN
# clamps hidden values at 4 and sample 1's predicted output is off by more than 1 at any width.
"$bin" refine --model "$data/qebverif/mnist/PTQ_mnist_1blk_100_in_8_relu_0.h5" \
  --mnist "$data/mnist" --sample 0 --sample 1 --sample 2 --radius 1 --eps 1 \
  --weights 2..8 --activations 4..10 --activation-int-bits 4 --cost bits \
  --candidate-timeout 5 --json "$out/refine.json" | tee "$out/refine.txt"

# Independent check: verify the chosen configuration on each region with qeb-smt verify.
quant=$(sed -n 's/^  --quant //p' "$out/refine.txt")
for s in 0 1 2; do
  "$bin" verify --model "$data/qebverif/mnist/PTQ_mnist_1blk_100_in_8_relu_0.h5" --quant "$quant" \
    --mnist "$data/mnist" --sample $s --radius 1 --eps 1 -q | tail -1
done
