import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, readJson, tempDir } from '../../helpers/run_files.js';

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('export writes the mean and a warm-start config that search --config goes on from', (t) => {
  const root = tempDir();
  const dir = join(root, 'r');
  t.is(cli(['search', '--task', 'sphere', '--dim', '4', '--x0', '2', '--max-generations', '6', '--seed', '3', '--workers', '0', '--out', dir, '--json']).code, 0);
  const r = cli(['export', dir, '--json']);
  t.is(r.code, 0, r.stderr);
  t.deepEqual(JSON.parse(r.stdout), { genome: join(dir, 'final.json'), warm: join(dir, 'final.warm.json') });
  const cp = readJson(join(dir, 'checkpoint.json'));
  const final = readJson(join(dir, 'final.json'));
  t.like(final, { format: 'evometa-genome', version: 2, kind: 'vector', config: { dim: 4 }, meta: { which: 'mean', run: '.', task: 'sphere', strategy: 'cmaes', seed: 3 } });
  t.deepEqual(final.genome.x, cp.strategy.mean);
  const next = join(root, 'next');
  const s = cli(['search', '--config', join(dir, 'final.warm.json'), '--task', 'sphere', '--dim', '4', '--max-generations', '1', '--seed', '4', '--workers', '0', '--out', next, '--json']);
  t.is(s.code, 0, s.stderr);
  const m = readJson(join(next, 'manifest.json')).config;
  t.is(m.init, join(dir, 'final.json'));
  t.is(m.sigma0, cp.strategy.sigma);
  t.deepEqual(m.strategyParams.stds, cp.strategy.C.filter((_: number, k: number) => k % 5 === 0).map(Math.sqrt));
  // --which best --out FILE: best.json's point, no warm start
  const b = cli(['export', dir, '--which', 'best', '--out', join(root, 'b.json')]);
  t.is(b.code, 0, b.stderr);
  t.regex(b.stdout, /^genome: .*b\.json\n$/);
  t.deepEqual(readJson(join(root, 'b.json')).meta.x, readJson(join(dir, 'best.json')).x);
});

test('export: bad input names the fix, exits 2 and writes nothing', (t) => {
  const root = tempDir();
  const dir = join(root, 'r');
  t.is(cli(['search', '--task', 'sphere', '--dim', '2', '--max-generations', '2', '--workers', '0', '--out', dir, '--json']).code, 0);
  const before = readdirSync(dir).sort();
  for (const [args, msg] of [
    [[join(root, 'none')], /none not found; give a run folder/],
    [[root], /is not a run folder \(no manifest\.json\)/],
    [[dir, '--which', 'worst'], /--which must be one of mean, best \(got "worst"\)/],
    [[dir, '--out', join(root, 'x.txt')], /--out must name a \.json file/],
    [[dir, '--outt', 'x.json'], /unknown option --outt for export; did you mean --out\?/],
    [[], /export needs DIR; usage: evometa export DIR/],
    [[dir, dir], /unexpected argument '.*' for export; usage: evometa export DIR/],
  ] as const) {
    const r = cli(['export', ...args]);
    t.is(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    t.regex(r.stderr, msg);
  }
  t.deepEqual(readdirSync(dir).sort(), before);
  t.false(existsSync(join(root, 'x.txt')));
});
