/**
 * Gradient kernels that @tensorflow/tfjs-backend-wasm 4.22 lacks (or has only as slow scalar loops),
 * rebuilt from the backend's own XNNPACK-backed forward kernels so training on wasm works and is fast.
 *
 * Found by running tf.grads through each op on wasm (tfjs-core's gradients call these kernels):
 * - Conv2DBackpropFilter: missing, so no gradient through conv2d / conv1d / separableConv2d / fused.conv2d.
 * - DepthwiseConv2dNativeBackpropFilter and ...BackpropInput: missing (depthwiseConv2d, separableConv2d).
 * - UnsortedSegmentSum: missing, so no gradient through tf.gather (embedding tables).
 * - Conv2DBackpropInput: present but a scalar C++ loop, about 10x slower than the forward conv.
 * MaxPoolGrad, AvgPoolGrad, batchNorm, matMul/fused matMul, softmax, layer-norm ops, resize, pad, tile, ...
 * all differentiate on wasm as shipped. Einsum has no wasm forward kernel (and no gradient anywhere).
 *
 * Every kernel here works on TensorInfos through the wasm kernels themselves (no tf.* ops), so it adds
 * no engine bookkeeping and frees each intermediate before returning. NHWC only, as wasm's Conv2D.
 */
import * as tf from '@tensorflow/tfjs';

type Info = tf.TensorInfo;
type Pair = [number, number];
type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;

/** What these kernels use of the wasm backend; structural so the wasm package stays an optional import. */
interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): Info;
  typedArrayFromHeap(info: Info): tf.TypedArray;
  disposeData(dataId: tf.DataId): boolean;
}

/** Calls wasm kernels directly and frees every intermediate they return, even when one throws. */
class Scratch {
  private readonly temps: Info[] = [];
  constructor(readonly backend: WasmBackendLike) {}

  run(kernelName: string, inputs: Record<string, Info>, attrs: tf.NamedAttrMap = {}): Info {
    const kernel = tf.getKernel(kernelName, 'wasm');
    if (kernel == null) throw new Error(`wasm backend has no '${kernelName}' kernel`);
    const out = kernel.kernelFunc({ inputs, attrs, backend: this.backend }) as Info;
    this.temps.push(out);
    return out;
  }

  reshape(x: Info, shape: number[]): Info {
    return this.run('Reshape', { x }, { shape });
  }

  transpose(x: Info, perm: number[]): Info {
    return perm.every((p, i) => p === i) ? x : this.run('Transpose', { x }, { perm });
  }

  slice(x: Info, begin: number[], size: number[]): Info {
    return size.every((s, i) => s === x.shape[i]) ? x : this.run('Slice', { x }, { begin, size });
  }

  /** Hands `result` to the caller and frees everything else. */
  finish(result: Info): Info {
    for (const t of this.temps) if (t !== result) this.backend.disposeData(t.dataId);
    this.temps.length = 0;
    return result;
  }

  /** Frees everything (error path). */
  abandon(): void {
    for (const t of this.temps) this.backend.disposeData(t.dataId);
    this.temps.length = 0;
  }
}

function withScratch(backend: unknown, body: (s: Scratch) => Info): Info {
  const s = new Scratch(backend as WasmBackendLike);
  try {
    return s.finish(body(s));
  } catch (err) {
    s.abandon();
    throw err;
  }
}

function pair(v: number | number[] | undefined): Pair {
  if (v == null) return [1, 1];
  return typeof v === 'number' ? [v, v] : [v[0]!, v[1]!];
}

function nhwcOnly(dataFormat: unknown, kernel: string): void {
  if (dataFormat != null && dataFormat !== 'NHWC' && dataFormat !== 'channelsLast') {
    throw new Error(`${kernel} on wasm supports NHWC only, got dataFormat '${String(dataFormat)}'`);
  }
}

/** Top/left padding the forward conv used; bottom/right are recomputed by each kernel. */
function forwardPad(xShape: number[], filterShape: number[], strides: Pair, dilations: Pair, pad: Pad,
  roundingMode: unknown, depthwise: boolean): { top: number; left: number } {
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number], filterShape as [number, number, number, number],
    strides, dilations, pad, roundingMode as 'floor' | 'round' | 'ceil' | undefined, depthwise, 'channelsLast');
  return { top: info.padInfo.top, left: info.padInfo.left };
}

/**
 * dW[kh,kw,i,o] = sum over b,oh,ow of xpad[b, oh*s + kh*d, ow*s + kw*d, i] * dy[b,oh,ow,o] is itself a
 * forward conv: image = x with batch and channels swapped, filter = dy with batch as its input channels,
 * stride = forward dilation, dilation = forward stride. Padding at the end only ensures >= KH outputs.
 */
function filterGradConv(s: Scratch, x: Info, dy: Info, filterShape: number[], strides: Pair, dilations: Pair,
  pad: Pad, roundingMode: unknown, depthwise: boolean): Info {
  const [B, H, W, C] = x.shape as [number, number, number, number];
  const [KH, KW] = filterShape as [number, number];
  const [, OH, OW, OC] = dy.shape as [number, number, number, number];
  const { top, left } = forwardPad(x.shape, filterShape, strides, dilations, pad, roundingMode, depthwise);
  const bottom = Math.max(0, (KH - 1) * dilations[0] + (OH - 1) * strides[0] + 1 - H - top);
  const right = Math.max(0, (KW - 1) * dilations[1] + (OW - 1) * strides[1] + 1 - W - left);
  const convAttrs = {
    strides: dilations, dilations: strides,
    pad: [[0, 0], [top, bottom], [left, right], [0, 0]], dataFormat: 'NHWC',
  } as unknown as tf.NamedAttrMap;
  if (!depthwise) {
    const xT = s.transpose(x, [3, 1, 2, 0]); // [C, H, W, B]
    const dyT = s.transpose(dy, [1, 2, 0, 3]); // [OH, OW, B, OC]
    const g = s.run('Conv2D', { x: xT, filter: dyT }, convAttrs); // [C, >=KH, >=KW, OC]
    return s.transpose(s.slice(g, [0, 0, 0, 0], [C, KH, KW, OC]), [1, 2, 0, 3]);
  }
  // Depthwise: each (batch, channel) pair is its own group, so no cross-channel waste; sum batches after.
  const mult = OC / C;
  const xT = s.reshape(s.transpose(x, [1, 2, 0, 3]), [1, H, W, B * C]);
  const dyT = s.reshape(s.transpose(dy, [1, 2, 0, 3]), [OH, OW, B * C, mult]);
  const g = s.run('DepthwiseConv2dNative', { x: xT, filter: dyT }, convAttrs); // [1, >=KH, >=KW, B*C*mult]
  const cut = s.reshape(s.slice(g, [0, 0, 0, 0], [1, KH, KW, B * OC]), [KH * KW, B, OC]);
  const summed = B === 1 ? cut : s.run('Sum', { x: cut }, { axis: [1], keepDims: false });
  return s.reshape(summed, [KH, KW, C, mult]);
}

/** A dilated filter as the equivalent dense one with zeros between taps. */
function dilateFilter(s: Scratch, w: Info, d: Pair): Info {
  if (d[0] === 1 && d[1] === 1) return w;
  const [KH, KW, I, O] = w.shape as [number, number, number, number];
  const spread = s.run('PadV2', { x: s.reshape(w, [KH, 1, KW, 1, I, O]) },
    { paddings: [[0, 0], [0, d[0] - 1], [0, 0], [0, d[1] - 1], [0, 0], [0, 0]], constantValue: 0 });
  const dense = s.reshape(spread, [KH * d[0], KW * d[1], I, O]);
  return s.slice(dense, [0, 0, 0, 0], [(KH - 1) * d[0] + 1, (KW - 1) * d[1] + 1, I, O]);
}

/**
 * Input gradient as a stride-1 forward conv (no zero-stuffed dy): split the filter into its s*s stride
 * phases, so one conv of dy yields every phase of dx in its channels, then interleave phases by a
 * reshape/transpose (wasm's DepthToSpace is ~10x slower than its Transpose). Costs ceil(K/s)^2*s^2/K^2
 * of the ideal MACs (16/9 for 3x3 stride 2), all in XNNPACK.
 */
function inputGradConv(s: Scratch, dy: Info, filter: Info, inputShape: number[], strides: Pair, dilations: Pair,
  pad: Pad, roundingMode: unknown, depthwise: boolean): Info {
  const [B, H, W, C] = inputShape as [number, number, number, number];
  const { top, left } = forwardPad(inputShape, filter.shape, strides, dilations, pad, roundingMode, depthwise);
  const w = dilateFilter(s, filter, dilations);
  const [KH, KW, , M] = w.shape as [number, number, number, number]; // M: out channels, or multiplier
  const [sh, sw] = strides;
  const [, OH, OW] = dy.shape as [number, number, number, number];
  const TH = Math.ceil(KH / sh), TW = Math.ceil(KW / sw); // taps per phase
  // Shift as much of the forward padding as possible into the conv's own padding to avoid a crop.
  const padT = Math.max(0, TH - 1 - Math.floor(top / sh)), padL = Math.max(0, TW - 1 - Math.floor(left / sw));
  const cropT = top - (TH - 1 - padT) * sh, cropL = left - (TW - 1 - padL) * sw;
  const ZH = Math.ceil((cropT + H) / sh), ZW = Math.ceil((cropL + W) / sw);
  const padB = Math.max(0, ZH - (OH + padT - TH + 1)), padR = Math.max(0, ZW - (OW + padL - TW + 1));
  // phase filter F[u, v, in, (r, t, c)] = w[(TH-1-u)*sh + r, (TW-1-v)*sw + t, c, in]
  const wp = s.run('PadV2', { x: w },
    { paddings: [[0, TH * sh - KH], [0, TW * sw - KW], [0, 0], [0, 0]], constantValue: 0 });
  const w6 = s.reshape(wp, [TH, sh, TW, sw, C, M]);
  const convAttrs = {
    strides: [1, 1], dilations: [1, 1], dataFormat: 'NHWC',
    pad: [[0, 0], [padT, padB], [padL, padR], [0, 0]],
  } as unknown as tf.NamedAttrMap;
  let z: Info; // [B, >=ZH, >=ZW, sh*sw*C], channels ordered (r, t, c)
  if (!depthwise) {
    const f = s.run('Reverse', { x: s.transpose(w6, [0, 2, 5, 1, 3, 4]) }, { dims: [0, 1] });
    z = s.run('Conv2D', { x: dy, filter: s.reshape(f, [TH, TW, M, sh * sw * C]) }, convAttrs);
  } else {
    // each dy channel (c, m) gets sh*sw outputs (its phases); the multiplier is summed out afterwards
    const f = s.run('Reverse', { x: s.transpose(w6, [0, 2, 4, 5, 1, 3]) }, { dims: [0, 1] });
    const zm = s.run('DepthwiseConv2dNative', { x: dy, filter: s.reshape(f, [TH, TW, C * M, sh * sw]) }, convAttrs);
    const [, zh, zw] = zm.shape as [number, number, number];
    const rows = B * zh * zw;
    let zc = s.reshape(zm, [rows, C, M, sh * sw]);
    zc = M === 1 ? s.reshape(zc, [rows, C, sh * sw]) : s.run('Sum', { x: zc }, { axis: [2], keepDims: false });
    z = s.reshape(s.transpose(zc, [0, 2, 1]), [B, zh, zw, sh * sw * C]);
  }
  const [, zh, zw] = z.shape as [number, number, number];
  const dense = sh * sw === 1 ? z
    : s.reshape(s.transpose(s.reshape(z, [B, zh, zw, sh, sw, C]), [0, 1, 3, 2, 4, 5]), [B, zh * sh, zw * sw, C]);
  return s.slice(dense, [0, cropT, cropL, 0], [B, H, W, C]);
}

type Args = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };
const attr = <T>(args: Args, name: string): T => (args.attrs ?? {})[name] as T;

function conv2DBackpropFilter(args: Args): Info {
  nhwcOnly(attr(args, 'dataFormat'), 'Conv2DBackpropFilter');
  const { x, dy } = args.inputs as { x: Info; dy: Info };
  return withScratch(args.backend, (s) => filterGradConv(s, x, dy, attr(args, 'filterShape'),
    pair(attr(args, 'strides')), [1, 1], attr(args, 'pad'), attr(args, 'dimRoundingMode'), false));
}

function conv2DBackpropInput(args: Args): Info {
  nhwcOnly(attr(args, 'dataFormat'), 'Conv2DBackpropInput');
  const { dy, filter } = args.inputs as { dy: Info; filter: Info };
  return withScratch(args.backend, (s) => inputGradConv(s, dy, filter, attr(args, 'inputShape'),
    pair(attr(args, 'strides')), [1, 1], attr(args, 'pad'), attr(args, 'dimRoundingMode'), false));
}

function depthwiseBackpropFilter(args: Args): Info {
  const { x, dy } = args.inputs as { x: Info; dy: Info };
  return withScratch(args.backend, (s) => filterGradConv(s, x, dy, attr(args, 'filterShape'),
    pair(attr(args, 'strides')), pair(attr(args, 'dilations')), attr(args, 'pad'), attr(args, 'dimRoundingMode'),
    true));
}

function depthwiseBackpropInput(args: Args): Info {
  const { dy, filter } = args.inputs as { dy: Info; filter: Info };
  return withScratch(args.backend, (s) => inputGradConv(s, dy, filter, attr(args, 'inputShape'),
    pair(attr(args, 'strides')), pair(attr(args, 'dilations')), attr(args, 'pad'), attr(args, 'dimRoundingMode'),
    true));
}

/**
 * TF semantics: segmentIds' shape is a prefix of x's; ids outside [0, numSegments) are dropped.
 * A plain loop over the wasm heap: O(x.size), where a one-hot matmul would be O(x.size * numSegments).
 */
function unsortedSegmentSum(args: Args): Info {
  const backend = args.backend as WasmBackendLike;
  const { x, segmentIds } = args.inputs as { x: Info; segmentIds: Info };
  const numSegments = attr<number>(args, 'numSegments');
  const n = tf.util.sizeFromShape(segmentIds.shape);
  const innerShape = x.shape.slice(segmentIds.shape.length);
  const inner = tf.util.sizeFromShape(innerShape);
  if (n * inner !== tf.util.sizeFromShape(x.shape)) {
    throw new Error(`UnsortedSegmentSum: segmentIds shape [${segmentIds.shape}] is not a prefix of x shape [${x.shape}]`);
  }
  const out = backend.makeOutput([numSegments, ...innerShape], x.dtype);
  // views only after makeOutput: allocating may grow the wasm heap and detach older views
  const o = backend.typedArrayFromHeap(out);
  const xs = backend.typedArrayFromHeap(x);
  const ids = backend.typedArrayFromHeap(segmentIds);
  o.fill(0);
  for (let i = 0; i < n; i++) {
    const seg = ids[i]!;
    if (seg < 0 || seg >= numSegments) continue;
    const src = i * inner, dst = seg * inner;
    for (let j = 0; j < inner; j++) o[dst + j] += xs[src + j]!;
  }
  return out;
}

const KERNELS: Record<string, (args: Args) => Info> = {
  Conv2DBackpropFilter: conv2DBackpropFilter,
  Conv2DBackpropInput: conv2DBackpropInput,
  DepthwiseConv2dNativeBackpropFilter: depthwiseBackpropFilter,
  DepthwiseConv2dNativeBackpropInput: depthwiseBackpropInput,
  UnsortedSegmentSum: unsortedSegmentSum,
};

/** Kernel names this module supplies for 'wasm'. */
export const WASM_GRADIENT_KERNELS = Object.keys(KERNELS);

let registered = false;

/**
 * Registers the kernels above for 'wasm' (replacing the shipped Conv2DBackpropInput). Idempotent; safe to
 * call before or after the wasm backend is initialised, since the engine looks kernels up per call.
 */
export function registerWasmGradients(): void {
  if (registered) return;
  for (const [kernelName, fn] of Object.entries(KERNELS)) {
    if (tf.getKernel(kernelName, 'wasm') != null) tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: fn as unknown as tf.KernelFunc });
  }
  registered = true;
}

/**
 * Filter gradient of a (possibly dilated) NHWC conv2d, for direct use: tfjs-core's conv2d gradient refuses
 * dilations > 1, but the wasm kernel path above supports them. Only valid while 'wasm' is the active backend.
 */
export function conv2dFilterGradWasm(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: [number, number, number, number],
  strides: number | Pair, pad: Pad, dilations: number | Pair = 1): tf.Tensor4D {
  if (tf.getBackend() !== 'wasm') throw new Error(`conv2dFilterGradWasm needs the wasm backend, not '${tf.getBackend()}'`);
  const backend = tf.backend();
  const info = withScratch(backend, (s) =>
    filterGradConv(s, x, dy, filterShape, pair(strides), pair(dilations), pad, undefined, false));
  return tf.engine().makeTensorFromTensorInfo(info) as tf.Tensor4D;
}
