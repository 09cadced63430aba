"""pycma's ask+tell time per generation on the sphere, the anchor of evometa's `npm run bench -- versus`.

Written for evometa (not part of pycma). For each dimension n it runs pycma's CMAEvolutionStrategy from
x0 = 3·1, sigma0 = 2 with default popsize and default options, except that logging to disk and console
output are off ('verbose': -9: evometa's ask/tell writes no files either). It times es.ask() and es.tell()
only, the sphere's evaluation excluded (wall time, and the process's CPU time beside it), and prints one JSON
object on stdout:

    {"anchor": "pycma", "pycma": "4.4.0", "numpy": "2.4.6", "python": "3.11.14", "blas": "...",
     "rows": [{"model": "full", "n": 100, "popsize": 17, "generations": 200,
               "ms_per_generation": 1.23, "cpu_ms_per_generation": 1.2, "eigendecompositions": 180}, ...]}

Usage: python3 pycma_asktell.py [--dims 10,100,200,500,1000] [--sep-dims 1000,5000] [--generations G]
                                [--warmup W] [--seed S]
--generations: generations timed per dimension (default: enough for ≥ 8 eigendecompositions, at least 30).
Each row is one timed run; evometa's bench calls this once per (dimension, repeat), interleaved with its own
runs, and takes medians.
"""
import argparse
import json
import platform
import sys
import time
import warnings

import numpy as np

try:
    import cma
except ImportError as error:  # the caller reports the anchor as skipped
    print(json.dumps({"anchor": "pycma", "error": f"import cma failed: {error}"}))
    sys.exit(3)


def default_generations(es, n):
    """A multiple of pycma's eigendecomposition period (lazy_update_gap rounded up), at least 30 generations."""
    period = max(1, int(np.ceil(getattr(es.sm, "lazy_update_gap", 0) or 0)))
    return period * max(4, int(np.ceil(min(400, max(30, 20000 // max(n, 1))) / period)))


def time_run(n, diagonal, generations, warmup, seed):
    opts = {"seed": seed, "verbose": -9, "CMA_diagonal": bool(diagonal)}
    es = cma.CMAEvolutionStrategy(n * [3.0], 2.0, opts)
    if generations is None:
        generations = default_generations(es, n)
    wall = 0.0
    cpu = 0.0
    eigen0 = None
    for g in range(warmup + generations):
        if g == warmup:
            eigen0 = getattr(es.sm, "count_eigen", 0)
        t0, c0 = time.perf_counter(), time.process_time()
        xs = es.ask()
        t1, c1 = time.perf_counter(), time.process_time()
        fs = [float(np.dot(x, x)) for x in xs]
        t2, c2 = time.perf_counter(), time.process_time()
        es.tell(xs, fs)
        t3, c3 = time.perf_counter(), time.process_time()
        if g >= warmup:
            wall += (t1 - t0) + (t3 - t2)
            cpu += (c1 - c0) + (c3 - c2)
    eigen = getattr(es.sm, "count_eigen", 0) - (eigen0 or 0)
    return {
        "model": "sep" if diagonal else "full",
        "n": n,
        "popsize": es.popsize,
        "generations": generations,
        "ms_per_generation": 1000.0 * wall / generations,
        "cpu_ms_per_generation": 1000.0 * cpu / generations,
        "eigendecompositions": eigen,
    }


def blas_name():
    try:
        info = np.show_config(mode="dicts")
        blas = info["Build Dependencies"]["blas"]
        return f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    except Exception:  # older numpy: no dict mode
        return "unknown"


def dims(text):
    return [int(v) for v in text.split(",") if v.strip()]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dims", type=dims, default=[10, 100, 200, 500, 1000])
    parser.add_argument("--sep-dims", type=dims, default=[1000])
    parser.add_argument("--generations", type=int, default=None)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    rows = [time_run(n, False, args.generations, args.warmup, args.seed) for n in args.dims]
    rows += [time_run(n, True, args.generations, args.warmup, args.seed) for n in args.sep_dims]
    print(json.dumps({
        "anchor": "pycma",
        "pycma": cma.__version__.split()[0],
        "numpy": np.__version__,
        "python": platform.python_version(),
        "blas": blas_name(),
        "rows": rows,
    }))


if __name__ == "__main__":
    main()
