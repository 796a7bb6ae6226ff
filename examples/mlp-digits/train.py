#!/usr/bin/env python3
"""Train a small MLP on scikit-learn's bundled digits (8×8 images, 1,797 of them: shipped in the
package, nothing downloaded), quantize it to int8, and write what a Crucible job needs:

  OUT/weights.bin    the int8 network, packed as the OpenCL program reads it (see LAYOUT)
  OUT/images.bin     the held-out test images, 64 bytes each (pixel values 0..16)
  OUT/labels.bin     their true digits, one byte each
  OUT/reference.bin  the int8 forward pass computed here with numpy: one little-endian u32
                     prediction per image, which the chain's replicas must equal bit for bit

The integer forward pass (mlp.cl does the same):
  acc1 = W1ᵀ·x + b1 (int8 × int8 → int32);  h = clamp((max(acc1, 0)·m1 + 2^(s1-1)) >> s1, 0, 127)
  acc2 = W2ᵀ·h + b2 (int32);                prediction = argmax(acc2) (the first on ties)

usage: train.py OUT_DIR   (prints the float and int8 accuracies as JSON)
"""
import json
import sys
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

IN, HIDDEN, OUT = 64, 32, 10
SHIFT = 24
# Byte offsets in weights.bin (every int32 little-endian, at a multiple of 4).
LAYOUT = {
    "w1": 0,                                   # int8 [IN][HIDDEN]
    "b1": IN * HIDDEN,                         # int32 [HIDDEN]
    "w2": IN * HIDDEN + 4 * HIDDEN,            # int8 [HIDDEN][OUT]
    "b2": IN * HIDDEN + 4 * HIDDEN + HIDDEN * OUT,  # int32 [OUT]
    "m1": IN * HIDDEN + 4 * HIDDEN + HIDDEN * OUT + 4 * OUT,  # int32 requantization multiplier
}
WEIGHT_BYTES = LAYOUT["m1"] + 4


def quantize(w):
    """Symmetric int8: w ≈ q · scale."""
    scale = float(np.abs(w).max()) / 127.0
    return np.clip(np.round(w / scale), -127, 127).astype(np.int8), scale


def forward(q, x):
    """The int8 network on uint8 images `x` ([n, 64], values 0..16): predictions, int64 math."""
    acc1 = x.astype(np.int64) @ q["w1"].astype(np.int64) + q["b1"].astype(np.int64)
    h = np.clip((np.maximum(acc1, 0) * q["m1"] + (1 << (SHIFT - 1))) >> SHIFT, 0, 127)
    acc2 = h @ q["w2"].astype(np.int64) + q["b2"].astype(np.int64)
    return np.argmax(acc2, axis=1).astype(np.uint32)


def main(out):
    out.mkdir(parents=True, exist_ok=True)
    digits = load_digits()
    x = digits.data.astype(np.uint8)  # 0..16
    y = digits.target.astype(np.uint8)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.2, random_state=7, stratify=y)
    mlp = MLPClassifier(hidden_layer_sizes=(HIDDEN,), activation="relu", max_iter=600, random_state=7)
    mlp.fit(x_train / 16.0, y_train)
    float_acc = float(mlp.score(x_test / 16.0, y_test))

    # The float network sees x/16: input scale 1/16. Layer 1 accumulates in units of sx·s1.
    w1, s1 = quantize(mlp.coefs_[0])
    w2, s2 = quantize(mlp.coefs_[1])
    sx = 1.0 / 16.0
    b1 = np.round(mlp.intercepts_[0] / (sx * s1)).astype(np.int32)
    # Hidden activations to int8: scale sh from the training set's largest activation.
    h_float = np.maximum(x_train / 16.0 @ mlp.coefs_[0] + mlp.intercepts_[0], 0)
    sh = float(h_float.max()) / 127.0
    m1 = int(round(sx * s1 / sh * (1 << SHIFT)))
    b2 = np.round(mlp.intercepts_[1] / (sh * s2)).astype(np.int32)
    q = {"w1": w1, "b1": b1, "w2": w2, "b2": b2, "m1": m1}

    packed = bytearray(WEIGHT_BYTES)
    packed[LAYOUT["w1"]:LAYOUT["b1"]] = w1.tobytes()
    packed[LAYOUT["b1"]:LAYOUT["w2"]] = b1.astype("<i4").tobytes()
    packed[LAYOUT["w2"]:LAYOUT["b2"]] = w2.tobytes()
    packed[LAYOUT["b2"]:LAYOUT["m1"]] = b2.astype("<i4").tobytes()
    packed[LAYOUT["m1"]:] = np.array([m1], dtype="<i4").tobytes()
    (out / "weights.bin").write_bytes(bytes(packed))
    (out / "images.bin").write_bytes(x_test.tobytes())
    (out / "labels.bin").write_bytes(y_test.tobytes())
    predictions = forward(q, x_test)
    (out / "reference.bin").write_bytes(predictions.astype("<u4").tobytes())
    print(json.dumps({
        "images": int(len(x_test)), "hidden": HIDDEN, "weight_bytes": WEIGHT_BYTES,
        "float_accuracy": float_acc,
        "int8_accuracy": float((predictions == y_test).mean()),
        "m1": m1, "shift": SHIFT,
    }))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(Path(sys.argv[1]))
