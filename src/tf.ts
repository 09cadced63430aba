/**
 * The TensorFlow.js side of evometa: `import … from 'evometa/tf'` loads TensorFlow.js. Backends (`initBackend`,
 * `getTf`: the one instance every backend registers with), the BLUR network, the learned-rule API (load a
 * meta-trained genome and train networks with it) and replay against tuned SGD and Adam.
 */
export { initBackend, getTf, BACKEND_NAMES, type BackendAttempt, type BackendInfo, type BackendName, type BackendRequest, type InitBackendOptions } from './runtime/backend.js';
export { loadGenome, learnedRule, readBlurGenomeFile, exportDenseLayers, type LearnedRule, type LearnedRuleNetwork } from './workflows/learned_rule.js';
export { BlurNetwork, DEFAULT_BLUR_NETWORK_OPTIONS, type BlurInput, type BlurNetworkInit, type BlurNetworkOptions } from './models/blur/blur_network.js';
export { replayRule, replayTable, type ReplayOptions, type ReplayResult, type MethodResult } from './workflows/replay/replay_blur.js';
export { loadReplayData, REPLAY_TASKS, type ReplayData, type ReplayDataOptions } from './workflows/replay/replay_data.js';
export type { BlurGenome } from '../genomes/blur_genome.js';
