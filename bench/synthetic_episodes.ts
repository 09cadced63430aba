/** Few-shot episodes of uniform noise images: for timing and kernel coverage on any backend, not for accuracy. */
import { Rng } from '../src/core/rng.js';
import type { HtConfig } from '../src/models/ht/ht_config.js';
import type { FewShotEpisode } from '../src/models/ht/few_shot_model.js';

/** Episode i of HT configuration `c`, drawn from seed 1000 + i. */
export function syntheticEpisodes(c: Pick<HtConfig, 'ways' | 'shots' | 'queries' | 'imageSize'>): (i: number) => FewShotEpisode {
  return (i) => {
    const rng = new Rng(1000 + i);
    const images = (n: number) => Float32Array.from({ length: n * c.imageSize * c.imageSize }, () => rng.uniform() * 2 - 1);
    const labels = (per: number) => Array.from({ length: c.ways * per }, (_, k) => k % c.ways);
    return { support: { x: images(c.ways * c.shots), labels: labels(c.shots) }, query: { x: images(c.ways * c.queries), labels: labels(c.queries) } };
  };
}
