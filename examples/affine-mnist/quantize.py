#!/usr/bin/python3
"""Writes the float ONNX model of QEBVerif's 784-100-10 MNIST network and its int8/uint8 QDQ
quantization, as onnxruntime's static quantizer would (tests/fixtures/onnx_quantizer.py, no
onnxruntime needed): uint8 activations (the ReLU as the clamp at zero point 0), int8 symmetric
per-channel weights, int32 biases, the output quantized to uint8. Calibration: MNIST test images
9000-9999 (pixel / 255); the example verifies samples below 9000.

usage: /usr/bin/python3 quantize.py OUTDIR [SHARED_DATA_DIR]
"""
import gzip
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "fixtures"))
import onnx_quantizer as oq  # noqa: E402
from make_fixtures import load_keras_layers  # noqa: E402


def keras_layers(path):
    return [(k.astype(np.float32), b.astype(np.float32)) for k, b in load_keras_layers(path)]


def mnist_images(directory):
    with gzip.open(os.path.join(directory, "t10k-images-idx3-ubyte.gz"), "rb") as f:
        data = f.read()
    count, rows, cols = (int.from_bytes(data[4 * i:4 * i + 4], "big") for i in (1, 2, 3))
    return np.frombuffer(data, np.uint8, count * rows * cols, 16).reshape(count, rows * cols)


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    out = sys.argv[1]
    data = sys.argv[2] if len(sys.argv) == 3 else os.path.join(HERE, "..", "..", "..", "shared", "data")
    os.makedirs(out, exist_ok=True)
    layers = keras_layers(os.path.join(data, "qebverif", "mnist", "PTQ_mnist_1blk_100_in_8_relu_0.h5"))
    calibration = mnist_images(os.path.join(data, "mnist"))[9000:10000] / 255.0
    net = oq.quantize(layers, (0.0, 1.0), calibration, act="u8", weight="s8", per_channel=True, relu="clamp",
                      bias="int32")
    oq.write_float(os.path.join(out, "mnist_float.onnx"), layers)
    oq.write_qdq(os.path.join(out, "mnist_qdq_u8.onnx"), net)
    s, z, _ = net["input"]
    print("wrote %s/mnist_float.onnx and mnist_qdq_u8.onnx (input scale %r, zero point %d; hidden scale %r)"
          % (out, float(s), z, float(net["layers"][0]["out"][0])))


if __name__ == "__main__":
    main()
