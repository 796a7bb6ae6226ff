#!/usr/bin/env python3
"""Time the int8 forward pass of mlp.cl in numpy, for scripts/bench-worker.sh.

usage: bench.py DIR RUNS

Reads DIR/weights.bin (packed as train.py's LAYOUT) and DIR/images.bin (n × 64 uint8), runs
the forward pass once to warm up and RUNS more times (int8 matmuls via int32, the requantization
in int64 since acc·m1 does not fit in 32 bits), writes the predictions to DIR/numpy.bin (u32
little-endian, for the caller to compare with OpenCL's) and prints the median seconds as JSON.
"""

import json
import sys
import time
from pathlib import Path

import numpy as np

from train import HIDDEN, IN, LAYOUT, OUT, SHIFT


def unpack(packed):
    """The network from weights.bin's bytes, widened to int32 once (not timed)."""
    w = np.frombuffer(packed, dtype=np.int8)
    i32 = lambda at, n: np.frombuffer(packed, dtype="<i4", count=n, offset=LAYOUT[at]).astype(np.int32)
    return {
        "w1": w[LAYOUT["w1"]:LAYOUT["b1"]].reshape(IN, HIDDEN).astype(np.int32),
        "b1": i32("b1", HIDDEN),
        "w2": w[LAYOUT["w2"]:LAYOUT["b2"]].reshape(HIDDEN, OUT).astype(np.int32),
        "b2": i32("b2", OUT),
        "m1": np.int64(i32("m1", 1)[0]),
    }


def forward(q, x):
    acc1 = x.astype(np.int32) @ q["w1"] + q["b1"]
    h = np.clip((np.maximum(acc1, 0).astype(np.int64) * q["m1"] + (1 << (SHIFT - 1))) >> SHIFT, 0, 127)
    acc2 = h.astype(np.int32) @ q["w2"] + q["b2"]
    return np.argmax(acc2, axis=1).astype("<u4")


def main(d, runs):
    q = unpack((d / "weights.bin").read_bytes())
    x = np.frombuffer((d / "images.bin").read_bytes(), dtype=np.uint8).reshape(-1, IN)
    predictions = forward(q, x)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        forward(q, x)
        times.append(time.perf_counter() - t)
    (d / "numpy.bin").write_bytes(predictions.tobytes())
    print(json.dumps({"seconds": sorted(times)[len(times) // 2], "images": int(len(x)),
                      "numpy": np.__version__}))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(Path(sys.argv[1]), int(sys.argv[2]))
