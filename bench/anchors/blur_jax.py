"""The BLUR population evaluation of evometa in JAX, the anchor of evometa's `npm run bench -- versus`.

Written for evometa (not part of JAX). The math of "Meta-Learning Bidirectional Update Rules" (Sandler et al.,
ICML 2021; the equations as evometa's src/models/blur implements them, §1.2-1.9 of its paper notes) is written
once, for one genome, against an array module `xp`: jax.numpy for timing, numpy for checking. The population
axis comes from `jax.vmap` over that single-genome function (with numpy, a loop over the genomes applying the
same function), so the checked math and the timed math are the same code.

Input: a JSON problem written by evometa (bench/anchors/blur_problem.ts): layer sizes, k, U, batch sizes, the
resolved network options, P genomes as flat vectors in the `blur` genome kind's layout, the initial synapses
(one set, shared by every genome: evometa's common random numbers), the U - 1 support batches and the query.
Only what the bench's default configuration uses is ported: k = 2, one layer rule shared by every synapse
layer, no searched extras, one replica, the default network options. Anything else is refused with one line.

Usage:
    python3 blur_jax.py PROBLEM.json --check
        numpy: per-genome meta-losses and query outputs in float32 (losses, outputs) and in float64 (losses64,
        outputs64) as the last stdout line (JSON).
    python3 blur_jax.py PROBLEM.json --time [--reps N] [--pops 1,8,32] [--warmup-s 1]
        jax: jit(vmap(meta_loss)) over the first P genomes for each P, and jit(value_and_grad(meta_loss)) of
        genome 0; genome-steps/s, grads/s, jax's own losses and genome 0's gradient, versions and devices.
"""
import argparse
import json
import platform
import sys
import time

import numpy as np

FORMAT = "evometa-blur-anchor-problem"
# genomes/blur_genome.ts: the flat vector holds eta_w divided by this power of two
SYNAPSE_UPDATE_SCALE = 2.0 ** -10
# src/models/blur/blur_options.ts DEFAULT_BLUR_NETWORK_OPTIONS: the only options this anchor ports
DEFAULT_NETWORK = {
    "hiddenActivation": "relu_tanh",
    "outputActivation": "tanh",
    "backwardActivation": "relu_tanh",
    "derivativeInState1": False,
    "backwardUpdate": "additive",
    "feedback": "target",
    "symmetricInOut": False,
    "symmetricStates": False,
    "normalizeSynapses": False,
    "normalizeInActivations": False,
    "rescale": False,
    "oja": False,
    "ojaExtraMultiplier": 1,
    "saturation": "none",
    "saturationEps": 0,
    "forwardActivationsForSynapseUpdate": False,
    "initScale": 1,
    "initScaleByChannels": False,
    "synapseMoments": "none",
    "momentEpsilon": 1e-6,
}


class Refused(Exception):
    """A problem this anchor does not port; the message is the one line the caller shows."""


# ---- the math, one genome, array module xp ---------------------------------------------------------------


def rule_from_flat(xp, v, k):
    """The genome kind's flat layout (genomes/blur_genome.ts): nu, mu, alpha, beta row-major, kappa_n, eta_n,
    kappa_w, eta_w / SYNAPSE_UPDATE_SCALE. nu and mu are the neuron transforms of §1.7, alpha and beta the
    Hebbian pre/post transforms."""
    kk = k * k
    block = lambda i: xp.reshape(v[i * kk:(i + 1) * kk], (k, k))
    s = 4 * kk
    return {
        "nu": block(0), "mu": block(1), "alpha": block(2), "beta": block(3),
        "neuron_keep": v[s], "neuron_update": v[s + 1],
        "synapse_keep": v[s + 2], "synapse_update": v[s + 3] * SYNAPSE_UPDATE_SCALE,
    }


def relu_tanh(xp, z):
    """relu(tanh(z)), the default hidden activation (§1.3)."""
    return xp.maximum(xp.tanh(z), 0)


def mix_in(xp, m, h):
    """out[c] = sum_d h[d] m[d, c] over the state axis 0: how nu, mu and alpha mix states (§1.3-1.5)."""
    return xp.tensordot(m, h, axes=([0], [0]))


def mix_out(xp, m, h):
    """out[c] = sum_e m[c, e] h[e]: how beta mixes states (§1.5)."""
    return xp.tensordot(m, h, axes=([1], [0]))


def with_bias(xp, h):
    """[h; 1] along the neuron axis: the bias neuron is 1 in every state (§1.1). h is [k, B, n]."""
    return xp.concatenate([h, xp.ones(h.shape[:2] + (1,), h.dtype)], axis=2)


def input_states(xp, x, k):
    """h^0 = [x, 0, ..., 0]: x in state 0, the other states 0 (§1.2 step 3); [k, B, n0]."""
    return xp.concatenate([x[None], xp.zeros((k - 1,) + x.shape, x.dtype)], axis=0)


def forward_pass(xp, rule, forward, x, k):
    """§1.2 step 5, eq. F (§1.3) with neurons zeroed (the kappa_n term is 0):
    h^{l+1}[c] = f(eta_n * sum_{i,d} [h^l; 1][d, :, i] nu[d, c] F^l[c, i, :]); tanh on the output layer."""
    layers = [input_states(xp, x, k)]
    for l, f in enumerate(forward):
        u = xp.matmul(mix_in(xp, rule["nu"], with_bias(xp, layers[-1])), f)  # [k, B, m]
        z = rule["neuron_update"] * u
        layers.append(xp.tanh(z) if l == len(forward) - 1 else relu_tanh(xp, z))
    return layers


def feedback(xp, out, y, k):
    """§1.2 step 7 ('target'): state 0 keeps the prediction, state 1 gets y, the rest 0."""
    parts = [out[0:1], y[None]]
    if k > 2:
        parts.append(xp.zeros((k - 2,) + y.shape, y.dtype))
    return xp.concatenate(parts, axis=0)


def backward_pass(xp, rule, backward, layers):
    """§1.2 step 8, eq. B (§1.4, 'additive'), l = L-1 ... 1, each with the already updated upper layer:
    v[c] = sum_{j,d} h^{l+1}[d, :, j] mu[d, c] Bk^l[c, j, :]; h^l <- relu_tanh(kappa_n h^l + eta_n v)."""
    out = list(layers)
    for l in range(len(backward), 0, -1):
        v = xp.matmul(mix_in(xp, rule["mu"], out[l + 1]), backward[l - 1])  # [k, B, n_l]
        out[l] = relu_tanh(xp, rule["neuron_keep"] * out[l] + rule["neuron_update"] * v)
    return out


def hebbian(xp, rule, pre, post):
    """Eq. S (§1.5), batch sum: D[c, i, j] = sum_b (pre_b,i . alpha[:, c]) (beta[c, :] . post_b,j)."""
    a = mix_in(xp, rule["alpha"], pre)  # [k, B, n]
    b = mix_out(xp, rule["beta"], post)  # [k, B, m]
    return xp.matmul(xp.swapaxes(a, 1, 2), b)


def synapse_update(xp, rule, forward, backward, layers):
    """§1.2 step 9: S <- kappa_w S + eta_w H for every forward block (pre with its bias neuron) and every
    backward block of layers l >= 1 (roles swapped, no bias); the input layer's backward block is never read."""
    keep, rate = rule["synapse_keep"], rule["synapse_update"]
    new_forward = [keep * f + rate * hebbian(xp, rule, with_bias(xp, layers[l]), layers[l + 1]) for l, f in enumerate(forward)]
    new_backward = [keep * bk + rate * hebbian(xp, rule, layers[l + 2], layers[l + 1]) for l, bk in enumerate(backward)]
    return new_forward, new_backward


def network_step(xp, rule, forward, backward, x, y, k):
    """One inner-loop step (§1.2): zero, input, forward, feedback, backward, Hebbian update."""
    layers = forward_pass(xp, rule, forward, x, k)
    layers[-1] = feedback(xp, layers[-1], y, k)
    return synapse_update(xp, rule, forward, backward, backward_pass(xp, rule, backward, layers))


def query_output(xp, v, data, k):
    """U - 1 learning steps on the support batches, then the forward-only step on the query (§1.2, §1.9: the
    U-th step's forward pass cannot reach the query, neurons being zeroed); output state 0, [Bq, m]."""
    rule = rule_from_flat(xp, v, k)
    forward, backward = list(data["forward"]), list(data["backward"])
    for s in range(data["support_x"].shape[0]):
        forward, backward = network_step(xp, rule, forward, backward, data["support_x"][s], data["support_y"][s], k)
    return forward_pass(xp, rule, forward, data["query_x"], k)[-1][0]


def meta_loss(xp, v, data, k):
    """§1.9: MSE of output state 0 against the +-1 query targets (one replica)."""
    return xp.mean(xp.square(query_output(xp, v, data, k) - data["query_y"]))


# ---- the problem file ----------------------------------------------------------------------------------


def refuse_unsupported(p):
    """One line naming the first field this anchor does not port."""
    if p.get("format") != FORMAT or p.get("version") != 1:
        raise Refused(f"not an {FORMAT} version 1 file (format {p.get('format')!r}, version {p.get('version')!r})")
    for key, default in DEFAULT_NETWORK.items():
        got = p["network"].get(key, default)
        if got != default:
            raise Refused(f"network option {key} = {json.dumps(got)} is not supported: this anchor ports only the "
                          f"default network options (src/models/blur/blur_options.ts), {key} = {json.dumps(default)}")
    unknown = sorted(set(p["network"]) - set(DEFAULT_NETWORK))
    if unknown:
        raise Refused(f"network option {unknown[0]} is unknown to this anchor; it ports {', '.join(DEFAULT_NETWORK)}")
    if p["k"] != 2:
        raise Refused(f"k = {p['k']} is not supported: this anchor ports the bench's k = 2 genomes")
    if p.get("replicas", 1) != 1:
        raise Refused(f"replicas = {p['replicas']} is not supported: this anchor ports one synapse initialisation per genome")
    dim = 4 * p["k"] ** 2 + 4
    for g, v in enumerate(p["genomes"]):
        if len(v) != dim:
            raise Refused(f"genome {g} holds {len(v)} numbers; this anchor ports genome vectors of {dim} (k = 2, "
                          "one layer rule shared by every synapse layer, no searched extras)")
    sizes = p["sizes"]
    if len(sizes) < 2 or p["unrollSteps"] < 1:
        raise Refused(f"sizes {sizes} and unrollSteps {p['unrollSteps']}: need at least [inputs, outputs] and U >= 1")


def load_problem(path):
    """The problem's arrays as float32 numpy arrays: genomes [P, dim], forward[l] [k, n_l + 1, n_{l+1}],
    backward[l - 1] [k, n_{l+1}, n_l], support_x [U - 1, B, n0], support_y [U - 1, B, m], query_x, query_y."""
    with open(path) as f:
        p = json.load(f)
    refuse_unsupported(p)
    sizes, k = p["sizes"], p["k"]
    f32 = lambda a, shape: np.asarray(a, dtype=np.float32).reshape(shape)
    L = len(sizes) - 1
    b, bq, n0, m = p["batchSize"], p["queryBatchSize"], sizes[0], sizes[-1]
    support = p["support"]
    if len(support) != p["unrollSteps"] - 1:
        raise Refused(f"{len(support)} support batches for unrollSteps = {p['unrollSteps']}; expected {p['unrollSteps'] - 1}")
    data = {
        "forward": [f32(p["synapses"]["forward"][l], (k, sizes[l] + 1, sizes[l + 1])) for l in range(L)],
        "backward": [f32(p["synapses"]["backward"][l - 1], (k, sizes[l + 1], sizes[l])) for l in range(1, L)],
        "support_x": f32([s["x"] for s in support], (len(support), b, n0)),
        "support_y": f32([s["y"] for s in support], (len(support), b, m)),
        "query_x": f32(p["query"]["x"], (bq, n0)),
        "query_y": f32(p["query"]["y"], (bq, m)),
    }
    return p, f32(p["genomes"], (len(p["genomes"]), -1)), data


# ---- the two modes ----------------------------------------------------------------------------------------


def check(p, genomes, data):
    """numpy, one genome at a time, in float32 (what evometa computes in) and in float64 (the same math with
    less rounding, to tell evometa's float32 error from a real difference): what evometa compares with its own."""
    k = p["k"]
    out = {"anchor": "blur-numpy", "numpy": np.__version__, "python": platform.python_version(), "P": len(genomes)}
    for suffix, dtype in (("", np.float32), ("64", np.float64)):
        d = {key: [a.astype(dtype) for a in v] if isinstance(v, list) else v.astype(dtype) for key, v in data.items()}
        outputs = [query_output(np, v.astype(dtype), d, k) for v in genomes]
        out["losses" + suffix] = [float(np.mean(np.square(o - d["query_y"]))) for o in outputs]
        out["outputs" + suffix] = [o.reshape(-1).tolist() for o in outputs]
    return out


def timed(fn, reps, warmup_s):
    """Mean seconds per call after at least two calls and warmup_s seconds (the first call compiles)."""
    t0 = time.perf_counter()
    calls = 0
    while calls < 2 or time.perf_counter() - t0 < warmup_s:
        fn()
        calls += 1
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(reps):
        fn()
    wall = time.perf_counter() - t0
    return wall / reps, (time.process_time() - c0) / wall


def time_jax(p, genomes, data, reps, pops, warmup_s):
    import jax
    import jax.numpy as jnp

    k = p["k"]
    jdata = jax.tree_util.tree_map(jnp.asarray, data)
    population_loss = jax.jit(jax.vmap(lambda v, d: meta_loss(jnp, v, d, k), in_axes=(0, None)))
    value_and_grad = jax.jit(jax.value_and_grad(lambda v, d: meta_loss(jnp, v, d, k)))
    U = p["unrollSteps"]
    rows = []
    for P in pops:
        if P > len(genomes):
            raise Refused(f"--pops asks for P = {P} but the problem holds {len(genomes)} genomes")
        vs = jnp.asarray(genomes[:P])
        seconds, cores = timed(lambda: population_loss(vs, jdata).block_until_ready(), reps, warmup_s)
        rows.append({"P": P, "ms_per_population": 1000 * seconds, "genome_steps_per_s": P * U / seconds, "cores": cores})
    v0 = jnp.asarray(genomes[0])
    seconds, cores = timed(lambda: value_and_grad(v0, jdata)[1].block_until_ready(), max(1, reps // 4), warmup_s)
    loss0, grad0 = value_and_grad(v0, jdata)
    losses = population_loss(jnp.asarray(genomes), jdata)
    return {"anchor": "blur-jax", "jax": jax.__version__, "numpy": np.__version__, "python": platform.python_version(),
            "backend": jax.default_backend(), "devices": [str(d) for d in jax.devices()], "rows": rows,
            "grad": {"ms": 1000 * seconds, "grads_per_s": 1 / seconds, "cores": cores},
            "losses": [float(v) for v in losses], "grad0": {"loss": float(loss0), "grad": [float(g) for g in grad0]}}


def anchor_main(argv, description, script, writer, run, add_arguments=lambda parser: None):
    """The command line the anchors share: a problem file, --check or --time, --reps and --warmup-s (and the
    anchor's own options); one JSON object on stdout, or one line on stderr and exit 2 for a problem not ported."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("problem")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", action="store_true")
    mode.add_argument("--time", action="store_true")
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--warmup-s", type=float, default=1.0)
    add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        out = run(args)
    except Refused as refusal:
        print(f"{script}: {refusal}", file=sys.stderr)
        return 2
    except KeyError as missing:
        print(f"{script}: the problem file has no field {missing}; write it with bench/anchors/{writer}", file=sys.stderr)
        return 2
    print(json.dumps(out))
    return 0


def run_blur(args):
    p, genomes, data = load_problem(args.problem)
    if args.check:
        return check(p, genomes, data)
    return time_jax(p, genomes, data, args.reps, [int(s) for s in args.pops.split(",") if s.strip()], args.warmup_s)


def main(argv):
    return anchor_main(argv, __doc__.split("\n\n")[0], "blur_jax.py", "blur_problem.ts", run_blur,
                       lambda parser: parser.add_argument("--pops", default="1,8,32"))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
