/**
 * The TensorFlow.js instance, for code that must not load it: `import … from 'evometa'` stays free of TensorFlow.js
 * (0.5–1.8 s and ~90 MB to load), yet a plug-in task that imports `getTf` from there gets the very instance the
 * worker's backend runs on. backend.ts registers the instance when it loads (a worker loads it before the first
 * evaluation of a task with `usesTensorflow: true`; `initBackend` loads it on the main thread).
 */
import type * as tfjs from '@tensorflow/tfjs';

let loaded: typeof tfjs | null = null;

/** Called once by backend.ts as it loads: from then on `getTf` returns this instance. */
export function registerTf(tf: typeof tfjs): void {
  loaded = tf;
}

/** Whether TensorFlow.js has been loaded in this thread. */
export function isTfLoaded(): boolean {
  return loaded !== null;
}

/**
 * The single TensorFlow.js instance of this thread. Throws before TensorFlow.js is loaded: a task gets it by
 * declaring `usesTensorflow: true` (the worker initialises the backend first), other code by awaiting
 * `initBackend(...)` (from 'evometa' or 'evometa/tf') or by importing 'evometa/tf'.
 */
export function getTf(): typeof tfjs {
  if (loaded === null)
    throw new Error(
      "TensorFlow.js is not loaded in this thread: `import 'evometa'` does not load it. Await initBackend('auto') first, "
        + "import from 'evometa/tf', or (in a task) set usesTensorflow: true so the worker initialises the backend before evaluate",
    );
  return loaded;
}

