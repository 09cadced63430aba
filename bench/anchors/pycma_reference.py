"""pycma's evaluation counts on the settings of evometa's `npm run bench -- cmaes`, written to pycma_reference.json.

Written for evometa (not part of pycma). Every run starts at x0 = 3·1 with sigma0 = 2 and stops at f <= 1e-8
(pycma's 'ftarget', which counts the whole last generation, as evometa's minimize() does):

- plain CMA-ES (cma.CMAEvolutionStrategy, default options) on the sphere and the ellipsoid (cma.ff.elli,
  condition 1e6), n = 10, seeds 1..11, at most 1e5 evaluations;
- IPOP-CMA-ES (cma.fmin with restarts=9, incpopsize=2) on Rosenbrock (at most 1e5 evaluations per run) and
  Rastrigin (2e5), n = 10, seeds 1..11;
- plain CMA-ES on 10-D Rosenbrock over seeds 1..40: how many reach the target (the others settle in the local
  minimum f ~ 3.99 near x1 = -1) and the median evaluations of those that do.

Usage: python3 pycma_reference.py [--out PATH] [--quick]
pycma's seeds drive numpy's generator, evometa's drive its own: only medians and rates compare.
"""
import argparse
import datetime
import json
import os
import platform
import statistics
import sys
import warnings

import numpy as np
import cma

TARGET = 1e-8
X0 = 3.0
SIGMA0 = 2.0
N = 10
FUNCTIONS = {"sphere": cma.ff.sphere, "ellipsoid": cma.ff.elli, "rosenbrock": cma.ff.rosen, "rastrigin": cma.ff.rastrigin}


def plain(f, seed, max_evaluations):
    es = cma.CMAEvolutionStrategy(N * [X0], SIGMA0, {"seed": seed, "verbose": -9, "ftarget": TARGET, "maxfevals": max_evaluations})
    while not es.stop():
        xs = es.ask()
        es.tell(xs, [f(x) for x in xs])
    return {"evaluations": int(es.countevals), "success": bool(es.best.f <= TARGET)}


def ipop(f, seed, max_evaluations):
    opts = {"seed": seed, "verbose": -9, "ftarget": TARGET, "maxfevals": max_evaluations}
    res = cma.fmin(f, N * [X0], SIGMA0, opts, restarts=9, incpopsize=2)
    return {"evaluations": int(res[3]), "success": bool(res[1] <= TARGET)}


def summary(results):
    evaluations = [r["evaluations"] for r in results]
    return {
        "success": sum(r["success"] for r in results),
        "runs": len(results),
        "median_evaluations": statistics.median(evaluations),
        "evaluations": evaluations,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "pycma_reference.json"))
    parser.add_argument("--quick", action="store_true", help="3 seeds and Rosenbrock over 5 seeds (a smoke test; not for the committed file)")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    seeds = range(1, 4 if args.quick else 12)
    rosen_seeds = range(1, 6 if args.quick else 41)
    rows = []
    for fn, strategy, budget in [("sphere", "cmaes", 1e5), ("ellipsoid", "cmaes", 1e5), ("rosenbrock", "ipop-cmaes", 1e5), ("rastrigin", "ipop-cmaes", 2e5)]:
        run = plain if strategy == "cmaes" else ipop
        rows.append({"function": fn, "n": N, "strategy": strategy, "max_evaluations": budget, "seeds": [seeds.start, seeds.stop - 1],
                     **summary([run(FUNCTIONS[fn], s, budget) for s in seeds])})
        print(f"{fn}: median {rows[-1]['median_evaluations']}", file=sys.stderr)
    rosen = [plain(cma.ff.rosen, s, 1e5) for s in rosen_seeds]
    solved = [r["evaluations"] for r in rosen if r["success"]]
    report = {
        "what": "pycma's evaluations to f <= 1e-8 from x0 = 3*1, sigma0 = 2 (bench/anchors/pycma_reference.py)",
        "pycma": cma.__version__.split()[0],
        "numpy": np.__version__,
        "python": platform.python_version(),
        "date": datetime.date.today().isoformat(),
        "rows": rows,
        "rosenbrock_plain": {
            "n": N, "strategy": "cmaes", "max_evaluations": 1e5, "seeds": [rosen_seeds.start, rosen_seeds.stop - 1],
            "success": len(solved), "runs": len(rosen),
            "median_evaluations_of_successes": statistics.median(solved) if solved else None,
            "failed_seeds": [s for s, r in zip(rosen_seeds, rosen) if not r["success"]],
        },
    }
    with open(args.out, "w") as out:
        json.dump(report, out, indent=1)
        out.write("\n")
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
