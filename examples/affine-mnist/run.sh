#!/bin/sh
# An int8/uint8 QNN as deployment toolchains write it, verified against its float original:
# QEBVerif's 784-100-10 MNIST network in ONNX (float) and its QDQ quantization (quantize.py, the
# onnxruntime recipe without onnxruntime), then qeb-smt info, accuracy, verify and max-error on a
# few MNIST samples. Usage: examples/affine-mnist/run.sh [path/to/qeb-smt]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${1:-$root/build/src/qeb-smt}
data=${QEB_DATA_DIR:-$root/../shared/data}
out=${OUT:-$here/out}
mkdir -p "$out"

/usr/bin/python3 "$here/quantize.py" "$out" "$data"
pair="--model $out/mnist_float.onnx --qnn $out/mnist_qdq_u8.onnx"
"$bin" info $pair | tail -4
"$bin" eval $pair --mnist "$data/mnist" --samples 0:9000

# Radius 1 (one input step, about one pixel level, each side of every pixel), the predicted class.
for s in 0 1 2 3 4; do
  for eps in 0.25 0.5; do
    "$bin" verify $pair --mnist "$data/mnist" --sample $s --radius 1 --output predicted --eps $eps \
      --timeout 120 -q --json "$out/verify_${s}_${eps}.json" | tail -1 || true
  done
  "$bin" max-error $pair --mnist "$data/mnist" --sample $s --radius 1 --output predicted --tolerance 0.01 \
    --timeout 300 --json "$out/max_error_$s.json" | tail -2 || true
done
