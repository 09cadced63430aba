"""The HyperTransformer training step of evometa in JAX, the anchor of evometa's `npm run bench -- versus`.

Written for evometa (not part of JAX). The few-shot model of "HyperTransformer: Model Generation for Supervised
and Semi-Supervised Few-Shot Learning" (Zhmoginov, Sandler, Vladymyrov, ICML 2022; as evometa's src/models/ht
implements it, §2.1-2.7 of its paper notes) is written once against an array module `xp`: numpy for checking,
jax.numpy for timing. Only the 2-D convolution, which numpy lacks, has one body per module: numpy sums the
kernel taps, jax calls lax.conv_general_dilated with the same explicit padding.

The model: a shared feature extractor on the raw support images, a 4-block target CNN (3x3 conv 'same' without
bias, ReLU, 2x2/2 max-pool, batch norm on the batch's own moments) whose conv kernels are trained weights, and a
logits layer generated per episode by a transformer (post-LayerNorm, no positional encoding) that reads one
weight token per class [mu_k ; 0] and one token per support sample [xi(label) ; local features ; shared
features ; 0]; the loss is the query cross-entropy, averaged over a step's episodes; a training step is
value_and_grad of that mean and TensorFlow.js's Adam update (bias corrections 1 - beta^t, epsilon added to the
square root) with the learning rate lr * decayRate^(step / decaySteps).

Input: a JSON problem written by evometa (bench/anchors/ht_problem.ts): the resolved HtConfig, the parameters as
evometa initialised them (dotted names as evometa's parameter tree spells them, shapes, row-major values), Adam's
constants, and the episodes of one or more training steps. Only the configuration the bench times is ported: the
HyperTransformer with its logits layer generated and every conv layer trained (generatedConvLayers = 0), ReLU in
the CNN and the transformer, Adam. Anything else is refused with one line naming the field.

Usage:
    python3 ht_jax.py PROBLEM.json --check
        numpy: the mean query loss of each step's episodes for the given parameters, in float32 (losses) and in
        float64 (losses64), as the last stdout line (JSON).
    python3 ht_jax.py PROBLEM.json --time [--reps N] [--warmup-s 1]
        jax: jit of one training step (value_and_grad of the mean loss + Adam); the losses of the problem's steps
        trained in order from its parameters (losses: the first is the loss at the given parameters), then
        training steps/s over N timed steps after the warm-up, the cores busy, jax's version and devices.
"""
import json
import math
import platform
import sys
import time

import numpy as np

from blur_jax import Refused, anchor_main, timed  # this folder is on sys.path when the script runs

FORMAT = "evometa-ht-anchor-problem"
CNN_BLOCKS = 4
KERNEL = 3
BN_EPSILON = 1e-3  # src/models/ht/target_cnn.ts
LN_EPSILON = 1e-6  # src/models/ht/transformer.ts
# What this anchor ports, as field -> (allowed values, why); HT_DEFAULTS of src/models/ht/ht_config.ts has them all.
PORTED = {
    "generatedConvLayers": ((0,), "the logits layer generated, every conv layer trained"),
    "cnnActivation": (("relu",), "ReLU in the target CNN"),
    "transformerActivation": (("relu",), "ReLU in the transformer's feed-forward layers"),
    "optimizer": (("adam",), "TensorFlow.js's Adam"),
}


def refuse_unsupported(p):
    if p.get("format") != FORMAT or p.get("version") != 1:
        raise Refused(f"not an HT anchor problem (format {p.get('format')!r}, version {p.get('version')!r}); write it with bench/anchors/ht_problem.ts")
    if p["kind"] != "hypertransformer":
        raise Refused(f"model kind {p['kind']!r} is not supported: this anchor ports only the HyperTransformer")
    c = p["config"]
    for field, (allowed, what) in PORTED.items():
        if c[field] not in allowed:
            raise Refused(f"config {field} = {json.dumps(c[field])} is not supported: this anchor ports only {what} ({field} = {json.dumps(allowed[0])}, as HT_DEFAULTS)")
    if c["imageSize"] >> 4 < 1:
        raise Refused(f"config imageSize = {c['imageSize']} is too small for 4 max-pool blocks; use at least 16")


# ---- shapes (src/models/ht/ht_config.ts, layer_plan.ts, feature_extractors.ts) ------------------------------


def head_dim(fraction, width, heads):
    raw = fraction if fraction > 3 else fraction * width
    return max(heads, math.ceil(raw / heads) * heads)


def local_plan(side, layers):
    """The convs the local feature extractor runs on a side x side input: (kernel, stride) each ('valid')."""
    kernel = min(KERNEL, side)
    first_stride = 1 if side < KERNEL else 2
    plan = []
    for i in range(layers):
        if side < kernel:
            break
        stride = first_stride if i < layers - 1 else 1
        plan.append((kernel, stride))
        side = (side - kernel) // stride + 1
    return plan


def logits_plan(c):
    """The logits layer's generator: input side, weight-token count and size, token width E."""
    side = c["imageSize"]
    for _ in range(CNN_BLOCKS):
        side //= 2
    block_size = c["channels"] * side * side + 1
    local_dim = len(local_plan(side, 1)) * c["localFeatures"]
    feature_dim = local_dim + c["sharedFeatures"]
    d = c["embeddingDim"]
    return {"side": side, "num_blocks": c["ways"], "block_size": block_size, "feature_dim": feature_dim,
            "width": max(d + block_size, d + feature_dim), "strides": [s for _, s in local_plan(side, 1)]}


# ---- primitives ---------------------------------------------------------------------------------------------


def same_padding(size, kernel, stride):
    """TensorFlow's 'same': out = ceil(size / stride), the odd pixel of padding after."""
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return (total // 2, total - total // 2)


class Ops:
    """The array module and its 2-D convolution (NHWC, kernels HWIO, explicit padding per spatial axis)."""

    def __init__(self, xp):
        self.xp = xp
        if xp is np:
            self.conv = self._conv_taps
        else:
            from jax import lax

            self.conv = lambda x, w, stride, pad: lax.conv_general_dilated(
                x, w, (stride, stride), pad, dimension_numbers=("NHWC", "HWIO", "NHWC"))

    def _conv_taps(self, x, w, stride, pad):
        kh, kw = w.shape[0], w.shape[1]
        x = np.pad(x, ((0, 0), pad[0], pad[1], (0, 0)))
        ho = (x.shape[1] - kh) // stride + 1
        wo = (x.shape[2] - kw) // stride + 1
        out = 0
        for a in range(kh):
            for b in range(kw):
                patch = x[:, a:a + stride * (ho - 1) + 1:stride, b:b + stride * (wo - 1) + 1:stride, :]
                out = out + patch @ w[a, b]
        return out

    def conv_same(self, x, w, stride):
        pad = (same_padding(x.shape[1], w.shape[0], stride), same_padding(x.shape[2], w.shape[1], stride))
        return self.conv(x, w, stride, pad)

    def conv_valid(self, x, w, stride):
        return self.conv(x, w, stride, ((0, 0), (0, 0)))


# ---- the model (written once against xp) -------------------------------------------------------------------


def relu(xp, x):
    return xp.maximum(x, 0)


def shared_features(ops, params, x):
    """Convs 'same' + ReLU, stride 2 but the last, then the global average: [S, s, s, 1] -> [S, sharedFeatures]."""
    n = sum(1 for k in params if k.startswith("shared.convs.") and k.endswith(".kernel"))
    h = x
    for i in range(n):
        h = relu(ops.xp, ops.conv_same(h, params[f"shared.convs.{i}.kernel"], 2 if i < n - 1 else 1) + params[f"shared.convs.{i}.bias"])
    return ops.xp.mean(h, axis=(1, 2))


def local_features(ops, params, prefix, strides, x):
    """The global averages of each conv's pre-ReLU output, concatenated; ReLU only feeds the next conv."""
    pooled = []
    h = x
    for i, stride in enumerate(strides):
        pre = ops.conv_valid(h, params[f"{prefix}.convs.{i}.kernel"], stride) + params[f"{prefix}.convs.{i}.bias"]
        pooled.append(ops.xp.mean(pre, axis=(1, 2)))
        h = relu(ops.xp, pre)
    return ops.xp.concatenate(pooled, axis=-1)


def cnn_block(ops, x, kernel, gamma, beta):
    """conv 'same' (no bias) -> ReLU -> 2x2/2 max-pool ('valid') -> batch norm on the batch's moments."""
    xp = ops.xp
    h = relu(xp, ops.conv_same(x, kernel, 1))
    n, s, _, ch = h.shape
    p = s // 2
    pooled = xp.max(h[:, :2 * p, :2 * p, :].reshape(n, p, 2, p, 2, ch), axis=(2, 4))
    mean = xp.mean(pooled, axis=(0, 1, 2))
    variance = xp.mean(xp.square(pooled - mean), axis=(0, 1, 2))
    return (pooled - mean) * (gamma / xp.sqrt(variance + BN_EPSILON)) + beta


def layer_norm(xp, x, gamma, beta):
    mean = xp.mean(x, axis=-1, keepdims=True)
    variance = xp.mean(xp.square(x - mean), axis=-1, keepdims=True)
    return (x - mean) / xp.sqrt(variance + LN_EPSILON) * gamma + beta


def softmax(xp, x):
    e = xp.exp(x - xp.max(x, axis=-1, keepdims=True))
    return e / xp.sum(e, axis=-1, keepdims=True)


def log_softmax(xp, x):
    shifted = x - xp.max(x, axis=-1, keepdims=True)
    return shifted - xp.log(xp.sum(xp.exp(shifted), axis=-1, keepdims=True))


def transformer(xp, params, prefix, layers, heads, x):
    """Blocks of x = LN(x + MHA(x)); x = LN(x + FFN(x)) over tokens x [T, E]."""
    t = x.shape[0]
    for layer in range(layers):
        p = lambda name: params[f"{prefix}.blocks.{layer}.{name}"]
        split = lambda y: y.reshape(t, heads, -1).transpose(1, 0, 2)
        q, k, v = (split(x @ p(f"w{n}") + p(f"b{n}")) for n in ("q", "k", "v"))
        logits = (q @ k.transpose(0, 2, 1)) / math.sqrt(q.shape[2])
        attended = (softmax(xp, logits) @ v).transpose(1, 0, 2).reshape(t, -1)
        x = layer_norm(xp, x + attended @ p("wo") + p("bo"), p("ln1.gamma"), p("ln1.beta"))
        hidden = relu(xp, x @ p("w1") + p("b1"))
        x = layer_norm(xp, x + hidden @ p("w2") + p("b2"), p("ln2.gamma"), p("ln2.beta"))
    return x


def episode_loss(ops, c, plan, params, episode):
    """Generate the logits layer from the support set, run the CNN on the queries, mean softmax cross-entropy."""
    xp = ops.xp
    support_x, support_labels, query_x, query_onehot = episode
    d = c["embeddingDim"]
    gen = "generators.logits"
    kernels = [params[f"trained.conv{i}"] for i in range(CNN_BLOCKS)]
    bn = [(params[f"bn.{i}.gamma"], params[f"bn.{i}.beta"]) for i in range(CNN_BLOCKS)]
    z = support_x
    for i in range(CNN_BLOCKS):
        z = cnn_block(ops, z, kernels[i], *bn[i])
    n = support_x.shape[0]
    parts = [params[f"{gen}.labelEmbeddings"][support_labels], local_features(ops, params, f"{gen}.local", plan["strides"], z)]
    if c["sharedFeatures"] > 0:
        parts.append(shared_features(ops, params, support_x))
    width = plan["width"]
    if width - d - plan["feature_dim"] > 0:
        parts.append(xp.zeros((n, width - d - plan["feature_dim"]), dtype=support_x.dtype))
    placeholders = params[f"{gen}.placeholders"]
    weights = xp.concatenate([placeholders, xp.zeros((plan["num_blocks"], width - d), dtype=support_x.dtype)], axis=1)
    tokens = xp.concatenate([weights, xp.concatenate(parts, axis=1)], axis=0)
    out = transformer(xp, params, f"{gen}.transformer", c["transformerLayers"], c["heads"], tokens)
    slices = out[:plan["num_blocks"], d:d + plan["block_size"]]
    w, b = slices[:, :-1].T, slices[:, -1]
    z = query_x
    for i in range(CNN_BLOCKS):
        z = cnn_block(ops, z, kernels[i], *bn[i])
    logits = z.reshape(z.shape[0], -1) @ w + b
    return -xp.mean(xp.sum(query_onehot * log_softmax(xp, logits), axis=1))


def step_loss(ops, c, plan, params, episodes):
    """The mean query loss over one step's episodes (a tuple of per-episode arrays)."""
    return sum(episode_loss(ops, c, plan, params, e) for e in episodes) / len(episodes)


# ---- the problem --------------------------------------------------------------------------------------------


def load_problem(path):
    """The config, the parameters {name: float32 array} and per step a list of episodes (support x [S, s, s, 1],
    support labels [S] int32, query x [Q, s, s, 1], query one-hot [Q, ways])."""
    with open(path) as f:
        p = json.load(f)
    refuse_unsupported(p)
    c = p["config"]
    side = c["imageSize"]
    params = {}
    for entry in p["params"]:
        values = np.asarray(entry["values"], dtype=np.float32)
        if values.size != int(np.prod(entry["shape"])):
            raise Refused(f"parameter {entry['name']} holds {values.size} numbers for shape {entry['shape']}")
        params[entry["name"]] = values.reshape(entry["shape"])
    plan = logits_plan(c)
    expected = [f"trained.conv{i}" for i in range(CNN_BLOCKS)] + [f"generators.logits.{n}" for n in ("labelEmbeddings", "placeholders")]
    missing = [n for n in expected if n not in params]
    if missing:
        raise Refused(f"the problem has no parameter {missing[0]} (generatedConvLayers = 0 trains conv0-conv3 and generates the logits layer)")
    if len(p["episodes"]) % c["episodesPerStep"] != 0 or not p["episodes"]:
        raise Refused(f"{len(p['episodes'])} episodes is not a positive multiple of episodesPerStep = {c['episodesPerStep']}")

    def episode(e):
        images = lambda x: np.asarray(x, dtype=np.float32).reshape(-1, side, side, 1)
        labels = np.asarray(e["query"]["labels"], dtype=np.int64)
        return (images(e["support"]["x"]), np.asarray(e["support"]["labels"], dtype=np.int32),
                images(e["query"]["x"]), np.eye(c["ways"], dtype=np.float32)[labels])

    episodes = [episode(e) for e in p["episodes"]]
    k = c["episodesPerStep"]
    steps = [episodes[i:i + k] for i in range(0, len(episodes), k)]
    return p, plan, params, steps


# ---- the two modes ------------------------------------------------------------------------------------------


def cast(tree, dtype):
    if isinstance(tree, dict):
        return {k: cast(v, dtype) for k, v in tree.items()}
    if isinstance(tree, (list, tuple)):
        return type(tree)(cast(v, dtype) for v in tree)
    return tree.astype(dtype) if tree.dtype.kind == "f" else tree


def check(p, plan, params, steps):
    """numpy in float32 (what evometa computes in) and float64 (the same math with less rounding): the mean query
    loss of each step's episodes at the given parameters."""
    ops = Ops(np)
    out = {"anchor": "ht-numpy", "numpy": np.__version__, "python": platform.python_version(), "steps": len(steps)}
    for suffix, dtype in (("", np.float32), ("64", np.float64)):
        ps = cast(params, dtype)
        out["losses" + suffix] = [float(step_loss(ops, p["config"], plan, ps, cast(s, dtype))) for s in steps]
    return out


def adam_update(jnp, a, params, grads, moments, t, lr):
    """TensorFlow.js's Adam (tfjs-core adam_optimizer.ts): t is the number of this update, 1 first."""
    b1, b2, eps = a["beta1"], a["beta2"], a["epsilon"]
    m = {k: moments[0][k] * b1 + grads[k] * (1 - b1) for k in params}
    v = {k: moments[1][k] * b2 + jnp.square(grads[k]) * (1 - b2) for k in params}
    c1, c2 = 1 - b1 ** t, 1 - b2 ** t
    new = {k: params[k] + (m[k] / c1) / (jnp.sqrt(v[k] / c2) + eps) * -lr for k in params}
    return new, (m, v)


def time_jax(p, plan, params, steps, reps, warmup_s):
    import jax
    import jax.numpy as jnp

    c, a = p["config"], p["adam"]
    ops = Ops(jnp)
    loss_and_grad = jax.value_and_grad(lambda ps, eps: step_loss(ops, c, plan, ps, eps))

    @jax.jit
    def train_step(ps, moments, t, episodes):
        """One training step of evometa's trainFewShot: t counts updates from 1, lr decays with t - 1."""
        loss, grads = loss_and_grad(ps, episodes)
        lr = c["learningRate"] * c["decayRate"] ** ((t - 1) / c["decaySteps"])
        new, moments = adam_update(jnp, a, ps, grads, moments, t, lr)
        return new, moments, loss

    jsteps = [jax.tree_util.tree_map(jnp.asarray, s) for s in steps]
    init = jax.tree_util.tree_map(jnp.asarray, params)
    zeros = jax.tree_util.tree_map(jnp.zeros_like, init)
    state = {"ps": init, "moments": (zeros, zeros), "t": 0}

    def one():
        s = state
        s["ps"], s["moments"], loss = train_step(s["ps"], s["moments"], jnp.float32(s["t"] + 1), jsteps[s["t"] % len(jsteps)])
        s["t"] += 1
        return float(loss)

    losses = [one() for _ in steps]  # from the problem's parameters, the problem's steps in order
    seconds, cores = timed(one, reps, warmup_s)
    return {"anchor": "ht-jax", "jax": jax.__version__, "numpy": np.__version__, "python": platform.python_version(),
            "backend": jax.default_backend(), "devices": [str(d) for d in jax.devices()], "losses": losses,
            "ms_per_step": 1000 * seconds, "steps_per_s": 1 / seconds, "cores": cores, "timed_steps": reps}


def run_ht(args):
    p, plan, params, steps = load_problem(args.problem)
    return check(p, plan, params, steps) if args.check else time_jax(p, plan, params, steps, args.reps, args.warmup_s)


def main(argv):
    return anchor_main(argv, __doc__.split("\n\n")[0], "ht_jax.py", "ht_problem.ts", run_ht)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
