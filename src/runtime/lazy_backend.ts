/**
 * `initBackend` for code that must not load TensorFlow.js before it is asked for (the 'evometa' entry): the
 * backend module, and with it TensorFlow.js, is imported on the first call.
 */
import type { BackendInfo, InitBackendOptions } from './backend.js';
import type { BackendRequest } from './backend_names.js';

/**
 * Loads TensorFlow.js and selects the backend `request` ('auto': the fastest that loads); see backend.ts. The
 * same function as `initBackend` of 'evometa/tf', reachable from 'evometa' without loading TensorFlow.js before
 * it is called.
 */
export async function initBackend(request: BackendRequest, options?: InitBackendOptions): Promise<BackendInfo> {
  const backend = await import('./backend.js');
  return backend.initBackend(request, options);
}
