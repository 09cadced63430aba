/**
 * The network's parameters are plain nested objects of tensors (no Layers API), so any subset can be
 * differentiated, frozen or swapped for variables. These helpers walk such trees: one place decides the
 * traversal order, so flattened lists, names and saved weights always line up.
 */
import type * as tfjs from '@tensorflow/tfjs';

type Tf = typeof tfjs;

function isTensor(tf: Tf, v: unknown): v is tfjs.Tensor {
  return v instanceof tf.Tensor;
}

/** Every tensor of the tree with its dotted path ('templates.expandKernel', 'blocks.3.bn1.mean'), in key order. */
export function flattenTree(tf: Tf, tree: unknown, prefix = ''): [string, tfjs.Tensor][] {
  if (isTensor(tf, tree)) return [[prefix, tree]];
  if (tree === null || tree === undefined || typeof tree !== 'object') return [];
  const out: [string, tfjs.Tensor][] = [];
  const entries = Array.isArray(tree) ? tree.map((v, i) => [String(i), v] as const) : Object.entries(tree as Record<string, unknown>);
  for (const [k, v] of entries) out.push(...flattenTree(tf, v, prefix === '' ? k : `${prefix}.${k}`));
  return out;
}

/** The tree's tensors in `flattenTree` order. */
export function treeTensors(tf: Tf, tree: unknown): tfjs.Tensor[] {
  return flattenTree(tf, tree).map(([, t]) => t);
}

/** Same shape of tree, each tensor replaced by `f(tensor, path)`; non-tensor leaves are kept as they are. */
export function mapTree<T>(tf: Tf, tree: T, f: (t: tfjs.Tensor, path: string) => tfjs.Tensor, prefix = ''): T {
  if (isTensor(tf, tree)) return f(tree, prefix) as unknown as T;
  if (tree === null || tree === undefined || typeof tree !== 'object') return tree;
  const at = (k: string): string => (prefix === '' ? k : `${prefix}.${k}`);
  if (Array.isArray(tree)) return tree.map((v, i) => mapTree(tf, v, f, at(String(i)))) as unknown as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(tree as Record<string, unknown>)) out[k] = mapTree(tf, v, f, at(k));
  return out as T;
}

/** Disposes every tensor of the tree (variables included). */
export function disposeTree(tf: Tf, tree: unknown): void {
  for (const t of treeTensors(tf, tree)) t.dispose();
}

/** The same tree made of trainable variables (new tensors; the input is left alone). */
export function toVariables<T>(tf: Tf, tree: T): T {
  return mapTree(tf, tree, (t) => tf.variable(t, true));
}

/** The tree as trainable variables, the given tensors disposed (`toVariables` leaves them to the caller). */
export function adoptAsVariables<T>(tf: Tf, tree: T): T {
  const v = toVariables(tf, tree);
  disposeTree(tf, tree);
  return v;
}

/** The tree's trainable variables, for an optimiser's var list. */
export function treeVariables(tf: Tf, tree: unknown): tfjs.Variable[] {
  return treeTensors(tf, tree).filter((t): t is tfjs.Variable => t instanceof tf.Variable);
}
