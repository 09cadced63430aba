/**
 * Three-way class splits of the pooled MNIST + Fashion-MNIST few-shot set, for experiments that choose something
 * (a hyperparameter search, a stopping step). The two-way split of `fewshot_episodes.ts` scores a search on the
 * held-out classes' training images and reports on the same classes' test images, so the report reads classes the
 * search was tuned on. Here the search trains on `train`, is scored on `validation` (classes disjoint from both
 * others) and the chosen configuration is retrained on train ∪ validation and scored once on `test`, classes no
 * search step has seen.
 */
import { UsageError } from '../core/errors.js';
import { DEFAULT_FEWSHOT_SPLIT, POOLED_NUM_CLASSES } from './fewshot_episodes.js';
import type { FewShotData } from './few_shot_data.js';

export interface FewShotProtocolSplit {
  /** Classes a candidate trains on during the search. */
  train: number[];
  /** Classes a candidate is scored on during the search (their train-split images). */
  validation: number[];
  /** Classes only the final report reads (their test-split images). */
  test: number[];
}

/**
 * The default three-way split: the default held-out classes (MNIST 6–9, Fashion 6–9) stay the test classes, and the
 * default training classes are cut into search-training classes (MNIST 0–3, Fashion 0–2) and validation classes
 * (MNIST 4–5, Fashion 3–5), five of them so that a 5-way validation episode can be drawn. Pooled indices: Fashion
 * class k is 10 + k.
 */
export const HT_SEARCH_SPLIT: Readonly<FewShotProtocolSplit> = Object.freeze({
  train: [0, 1, 2, 3, 10, 11, 12],
  validation: [4, 5, 13, 14, 15],
  test: [...DEFAULT_FEWSHOT_SPLIT.test],
});

/** Throws a UsageError naming the side unless the three sides are disjoint lists of pooled classes with ≥ `ways` each. */
export function validateProtocolSplit(p: FewShotProtocolSplit, ways = 5): void {
  const owner = new Map<number, string>();
  for (const side of ['train', 'validation', 'test'] as const) {
    const list: unknown = p[side];
    if (!Array.isArray(list) || list.length < ways)
      throw new UsageError(`split.${side} must list at least ways = ${ways} pooled classes 0…${POOLED_NUM_CLASSES - 1} (got ${JSON.stringify(list)})`);
    for (const c of list as unknown[]) {
      if (typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c >= POOLED_NUM_CLASSES)
        throw new UsageError(`split.${side}: ${JSON.stringify(c)} is not a pooled class; use integers 0…${POOLED_NUM_CLASSES - 1}`);
      const other = owner.get(c);
      if (other !== undefined)
        throw new UsageError(`split: class ${c} is in both split.${other} and split.${side}; the search's validation classes must be disjoint from its training and test classes`);
      owner.set(c, side);
    }
  }
}

/** What a search candidate trains and is scored on: its 'validation' source is the validation classes' train-split images. */
export function searchData(p: FewShotProtocolSplit = HT_SEARCH_SPLIT): FewShotData {
  validateProtocolSplit(p);
  return { dataset: 'mnist-fashion', split: { train: p.train.slice(), test: p.validation.slice() } };
}

/** What the chosen configuration is retrained and tested on: train ∪ validation classes, then the test classes' test images. */
export function finalData(p: FewShotProtocolSplit = HT_SEARCH_SPLIT): FewShotData {
  validateProtocolSplit(p);
  return { dataset: 'mnist-fashion', split: { train: [...p.train, ...p.validation].sort((a, b) => a - b), test: p.test.slice() } };
}
