/**
 * A consumer's TypeScript file that imports only through the package name ('evometa', 'evometa/tf': package
 * self-reference through `exports`) type-checks under `strict` with NodeNext resolution, as a user's project
 * would; and deliberate misuses fail, so the check can fail.
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { CONSUMER_FIXTURES, PACKAGE_ROOT } from './package_paths.js';

const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');

function typeCheck(tsconfig: string): { status: number | null; output: string } {
  const r = spawnSync(process.execPath, [TSC, '-p', join(CONSUMER_FIXTURES, tsconfig)], { cwd: PACKAGE_ROOT, encoding: 'utf8' });
  return { status: r.status, output: r.stdout + r.stderr };
}

test('a strict consumer of evometa and evometa/tf type-checks through the package name', (t) => {
  const r = typeCheck('tsconfig.json');
  t.is(r.output, '');
  t.is(r.status, 0);
});

test('the declarations reject misuse: a string fitness, a misspelt option, a rule network without sizes', (t) => {
  const r = typeCheck('tsconfig.wrong.json');
  t.is(r.status, 2);
  const errors = r.output.split('\n').filter((l) => l.startsWith('tests/fixtures/consumer/wrong.ts('));
  t.is(errors.length, 3, r.output);
  t.regex(errors[0]!, /^tests\/fixtures\/consumer\/wrong\.ts\(8,\d+\): error TS2345: Argument of type 'string\[\]' is not assignable to parameter of type 'readonly FitnessInput\[\]'/);
  t.regex(errors[1]!, /^tests\/fixtures\/consumer\/wrong\.ts\(10,\d+\): error TS2561: .*'maxEval' does not exist in type 'MinimizeOptions'\. Did you mean to write 'maxEvals'\?/);
  t.regex(errors[2]!, /^tests\/fixtures\/consumer\/wrong\.ts\(12,\d+\): error TS2554: Expected 1-2 arguments, but got 0\./);
});
