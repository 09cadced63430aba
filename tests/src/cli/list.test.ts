/** `evometa list`: aligned columns name · origin · description within 100 columns; plug-ins numbered below. */
import test from 'ava';
import { SLOW_TASK_SOURCE, fileUrl, writeModule } from '../../helpers/plugin_files.js';
import { cli, linesWiderThan } from './cli_run.js';

test('list aligns name, origin and description across its tables and fits 100 columns', (t) => {
  const plugin = writeModule(SLOW_TASK_SOURCE, 'task.mjs');
  const r = cli(['list', '--plugin', plugin]);
  t.is(r.code, 0, r.stderr);
  t.deepEqual(linesWiderThan(r.stdout), []);
  const tables = r.stdout.split('\n\n').slice(0, 3);
  t.deepEqual(tables.map((s) => s.split('\n')[0]), ['genome kinds:', 'tasks:', 'strategies:']);
  // one origin column and one description column for all three tables, header included
  const rows = tables.flatMap((s) => s.split('\n').slice(1)).filter((l) => /^ {2}\S/.test(l));
  const originAt = rows[0]!.indexOf('origin');
  const descriptionAt = rows[0]!.indexOf('description');
  t.true(originAt > 2 && descriptionAt > originAt);
  for (const row of rows) {
    t.regex(row.slice(originAt), /^(built-in|plug-in 1|origin) /, row);
    t.not(row[descriptionAt], ' ', row);
    t.is(row[descriptionAt - 1], ' ', row);
  }
  // a wrapped description goes on under its column
  const wrapped = tables.flatMap((s) => s.split('\n').slice(1)).filter((l) => /^ {3}/.test(l));
  t.true(wrapped.length > 0);
  for (const l of wrapped) t.is(l.search(/\S/), descriptionAt, l);
  t.regex(r.stdout, /^ {2}slow-shifted-sphere +plug-in 1 +sphere around/m);
  t.regex(r.stdout, new RegExp(`\\n\\nplug-ins:\\n  1  ${fileUrl(plugin)}\\n$`));
});
