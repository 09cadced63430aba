/** The version of evometa: package.json's, read where the package is (dist/src/cli is three folders below it). */
import { readFileSync } from 'node:fs';

export function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}
