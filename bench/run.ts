/** `npm run bench -- NAME [args]`: runs bench/NAME.js, whose default export takes the remaining args. */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.js') && f !== 'run.js')
  .map((f) => f.replace(/\.js$/, ''));
const [name, ...rest] = process.argv.slice(2);
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- NAME [args]; NAME is one of: ${available.join(', ') || '(none built)'}`);
  process.exit(2);
}
const mod = (await import(`./${name}.js`)) as { default: (args: string[]) => Promise<void> };
await mod.default(rest);
