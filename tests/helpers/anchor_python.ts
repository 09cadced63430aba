/**
 * The Python the anchor tests run (bench/anchors/*.py): EVOMETA_ANCHOR_PYTHON, else python3. The numpy checks need
 * numpy and the timing tests jax; where the interpreter lacks one, those tests are skipped with a note, under CI
 * too (neither is part of the CI machine's set-up).
 */
import test from 'ava';
import { probePython } from '../../bench/anchors/python.js';

export interface AnchorPython {
  /** The interpreter, or null when it does not import numpy. */
  python: string | null;
  /** `test.serial` where numpy imports, else `test.skip`. */
  withNumpy: typeof test.serial | typeof test.skip;
  /** `test.serial` where jax imports too, else `test.skip`. */
  withJax: typeof test.serial | typeof test.skip;
}

/** Probes the anchors' Python once per test file; `label` names the anchor in the skip note. */
export function anchorPython(label: string): AnchorPython {
  const numpy = probePython(process.env['EVOMETA_ANCHOR_PYTHON'], 'numpy');
  const python = 'skipped' in numpy ? null : numpy.python;
  const jax = python ? probePython(python, 'jax') : null;
  if (!python) console.warn(`${label} anchor tests skipped: ${'skipped' in numpy ? numpy.skipped : ''} (set EVOMETA_ANCHOR_PYTHON to a Python with numpy)`);
  return { python, withNumpy: python ? test.serial : test.skip, withJax: jax && !('skipped' in jax) ? test.serial : test.skip };
}
