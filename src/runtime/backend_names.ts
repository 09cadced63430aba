/** Backend names, apart from the loader so that config parsing never imports TensorFlow.js. */
export const BACKEND_NAMES = ['tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
/** `auto` tries BACKEND_NAMES in order. */
export const BACKEND_REQUESTS = ['auto', ...BACKEND_NAMES] as const;
export type BackendRequest = (typeof BACKEND_REQUESTS)[number];
