"""Matrix products in JAX on the CPU, the roofline row of evometa's `npm run bench -- versus`.

Written for evometa (not part of JAX). Times jit(jnp.dot) of float32 matrices of the given shapes, the products
that bound BLUR's evaluation (its input layer's forward and Hebbian products) and a square one for the peak, so
that evometa's tfjs-wasm products can be set beside what XLA's CPU code reaches on the same core.

Usage:
    python3 gemm_jax.py --shapes 200x784x32,6400x784x32 [--reps 20] [--warmup-s 1]
        the last stdout line (JSON): per shape MxKxN, seconds per product and GFLOP/s (2*M*K*N flops), the
        cores busy, jax's version and devices; the inputs are uniform in [-1, 1) from a fixed numpy seed.
"""
import argparse
import json
import sys

import numpy as np

from blur_jax import timed  # this folder is on sys.path when the script runs


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", required=True)
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--warmup-s", type=float, default=1.0)
    args = parser.parse_args(argv)
    import jax
    import jax.numpy as jnp

    rng = np.random.default_rng(0)
    dot = jax.jit(jnp.dot)
    rows = []
    for text in args.shapes.split(","):
        m, k, n = (int(v) for v in text.split("x"))
        a = jnp.asarray(rng.uniform(-1, 1, (m, k)).astype(np.float32))
        b = jnp.asarray(rng.uniform(-1, 1, (k, n)).astype(np.float32))
        seconds, cores = timed(lambda: dot(a, b).block_until_ready(), args.reps, args.warmup_s)
        rows.append({"shape": text, "seconds": seconds, "gflops": 2 * m * k * n / seconds / 1e9, "cores": cores})
    print(json.dumps({"rows": rows, "jax": jax.__version__, "devices": [str(d) for d in jax.devices()]}))


if __name__ == "__main__":
    main(sys.argv[1:])
