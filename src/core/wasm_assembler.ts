/**
 * Just enough of a WebAssembly assembler for the project's few SIMD kernels (CMA-ES's products in
 * strategies/cma_wasm.ts, the batched float32 product in src/runtime/wasm_batch_matmul.ts): the instructions they
 * use, each appended as its binary encoding to a function body, and a module of such functions with one memory,
 * its own or an imported one. Kernels written this way need no build step and no binary in the package.
 *
 * Encoding: "WebAssembly Core Specification", §5 (binary format: LEB128 integers, sections, code), and the
 * fixed-width SIMD extension's opcodes (prefix 0xfd; v128.load 0x00, load32_splat 0x09, load64_splat 0x0a, store
 * 0x0b, const 0x0c, f64x2.splat 0x14, f32x4.add 228, f32x4.mul 230, f64x2.add 240, f64x2.mul 242).
 */

type Bytes = number[];

function uleb(v: number): Bytes {
  const out: Bytes = [];
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
  return out;
}

function sleb(v: number): Bytes {
  const out: Bytes = [];
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) return [...out, b];
    out.push(b | 0x80);
  }
}

export const I32 = 0x7f;
export const F64 = 0x7c;
export const V128 = 0x7b;

/** The instructions the kernels use, each appending its encoding to a function body. */
export class Body {
  readonly code: Bytes = [];
  get(i: number): this { return this.op(0x20, ...uleb(i)); }
  set(i: number): this { return this.op(0x21, ...uleb(i)); }
  i32(v: number): this { return this.op(0x41, ...sleb(v)); }
  add(): this { return this.op(0x6a); }
  sub(): this { return this.op(0x6b); }
  mul(): this { return this.op(0x6c); }
  shl2(): this { return this.i32(2).op(0x74); }
  shl3(): this { return this.i32(3).op(0x74); }
  geS(): this { return this.op(0x4e); }
  gtS(): this { return this.op(0x4a); }
  eqz(): this { return this.op(0x45); }
  f64Load(offset = 0): this { return this.op(0x2b, 3, ...uleb(offset)); }
  f64Mul(): this { return this.op(0xa2); }
  vLoad(offset = 0): this { return this.simd(0x00, 3, ...uleb(offset)); }
  vSplatLoad(): this { return this.simd(0x0a, 3, 0); }
  vSplatLoad32(): this { return this.simd(0x09, 2, 0); }
  vZero(): this { return this.simd(0x0c, ...new Array<number>(16).fill(0)); }
  f32x4Add(): this { return this.simd(...uleb(228)); }
  f32x4Mul(): this { return this.simd(...uleb(230)); }
  vStore(offset = 0): this { return this.simd(0x0b, 3, ...uleb(offset)); }
  vSplat(): this { return this.simd(0x14); }
  vAdd(): this { return this.simd(...uleb(240)); }
  vMul(): this { return this.simd(...uleb(242)); }
  /** local[i] += by (i32). */
  bump(i: number, by: number | (() => void)): this {
    this.get(i);
    if (typeof by === 'number') this.i32(by);
    else by();
    return this.add().set(i);
  }
  /** block { loop { exit → leave; body; br loop } }: `exit` leaves an i32 condition on the stack. */
  whileNot(exit: () => void, body: () => void): this {
    this.op(0x02, 0x40, 0x03, 0x40);
    exit();
    this.op(0x0d, 1);
    body();
    return this.op(0x0c, 0, 0x0b, 0x0b);
  }
  op(...bytes: number[]): this {
    for (const b of bytes) this.code.push(b);
    return this;
  }
  private simd(...bytes: number[]): this {
    return this.op(0xfd, ...bytes);
  }
}

export interface KernelFunction {
  name: string;
  params: number[];
  locals: number[];
  body: Body;
}

function section(id: number, content: Bytes): Bytes {
  return [id, ...uleb(content.length), ...content];
}

function vector(items: Bytes[]): Bytes {
  return [...uleb(items.length), ...items.flat()];
}

function name(text: string): Bytes {
  const bytes = [...new TextEncoder().encode(text)];
  return [...uleb(bytes.length), ...bytes];
}

/** The module: the kernels, each with its own function type, and one memory: its own (exported as `memory`) or `env.memory` imported. */
export function moduleBytes(kernels: KernelFunction[], memory: 'own' | 'imported' = 'own'): Uint8Array {
  const types = kernels.map((k) => [0x60, ...vector(k.params.map((p) => [p])), 0]);
  const bodies = kernels.map((k) => {
    const locals = vector(k.locals.map((t) => [1, t]));
    const code = [...locals, ...k.body.code, 0x0b];
    return [...uleb(code.length), ...code];
  });
  const functions = kernels.map((k, index) => [...name(k.name), 0x00, ...uleb(index)]);
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vector(types)),
    ...(memory === 'imported' ? section(2, vector([[...name('env'), ...name('memory'), 0x02, 0x00, 1]])) : []),
    ...section(3, vector(kernels.map((_, index) => uleb(index)))),
    ...(memory === 'own' ? section(5, vector([[0x00, 1]])) : []),
    ...section(7, vector(memory === 'own' ? [[...name('memory'), 0x02, 0], ...functions] : functions)),
    ...section(10, vector(bodies)),
  ]);
}

/** What the kernels need of the WebAssembly JavaScript API (the project's TypeScript libraries do not declare it). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

/** The kernels compiled and instantiated (synchronously: such modules are a few kilobytes), on `memory` if given. */
export function instantiate(kernels: KernelFunction[], memory?: WasmMemory): Record<string, unknown> {
  const api = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
  const bytes = moduleBytes(kernels, memory ? 'imported' : 'own');
  return new api.Instance(new api.Module(bytes), memory ? { env: { memory } } : {}).exports;
}
