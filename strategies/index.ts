/**
 * Registry of strategies: the names the CLI and config files use. Each is the strategy of its own file under the
 * checked ask/tell surface (checked_strategy.ts): numbers or evaluations in `tell`, a drawn seed, and `inject`
 * for the CMA-ES family.
 */
import { cmaes as cmaesRaw, sepCmaes as sepCmaesRaw, type CmaState } from './cma_es.js';
import { bipopCmaes as bipopRaw, ipopCmaes as ipopRaw, type RestartState } from './restarts.js';
import { metagrad as metagradRaw, type MetagradState } from './metagrad.js';
import { esGrad as esGradRaw, type EsGradState } from './es_grad.js';
import { gaOrdering as gaOrderingRaw, type GaOrderingState } from './genetic_ordering.js';
import { cmaDimension, injectIntoCma } from './cma_inject.js';
import { checkedStrategy, type CheckedStrategy, type InjectionSupport } from './checked_strategy.js';

export { checkedStrategy, drawSeed, type CheckedOptions, type CheckedStrategy, type InjectionSupport } from './checked_strategy.js';
export { numberEvaluation, type FitnessInput } from './tell_input.js';

const CMA_INJECTION: InjectionSupport<CmaState> = { dimension: cmaDimension, place: injectIntoCma };
/** A restart strategy injects into its current inner CMA-ES run. */
const RESTART_INJECTION: InjectionSupport<RestartState> = {
  dimension: (s) => cmaDimension(s.inner),
  place: (s, candidates, points) => injectIntoCma(s.inner, candidates, points),
};

export const cmaes: CheckedStrategy<CmaState> = checkedStrategy(cmaesRaw, CMA_INJECTION);
export const sepCmaes: CheckedStrategy<CmaState> = checkedStrategy(sepCmaesRaw, CMA_INJECTION);
export const ipopCmaes: CheckedStrategy<RestartState> = checkedStrategy(ipopRaw, RESTART_INJECTION);
export const bipopCmaes: CheckedStrategy<RestartState> = checkedStrategy(bipopRaw, RESTART_INJECTION);
export const metagrad: CheckedStrategy<MetagradState> = checkedStrategy(metagradRaw);
export const esGrad: CheckedStrategy<EsGradState> = checkedStrategy(esGradRaw);
export const gaOrdering: CheckedStrategy<GaOrderingState> = checkedStrategy(gaOrderingRaw);

export const STRATEGIES: Readonly<Record<string, CheckedStrategy<any>>> = Object.fromEntries(
  [cmaes, sepCmaes, ipopCmaes, bipopCmaes, metagrad, esGrad, gaOrdering].map((s) => [s.name, s]),
);
