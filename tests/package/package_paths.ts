/** Where the package under test lives, for the tests that use it as a user would (through its name). */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the package itself (this file runs from dist/tests/package/). */
export const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const CONSUMER_FIXTURES = join(PACKAGE_ROOT, 'tests', 'fixtures', 'consumer');
