/** Backend names, apart from the loader so that config parsing never imports TensorFlow.js. */
export const BACKEND_REQUESTS = ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendRequest = (typeof BACKEND_REQUESTS)[number];
