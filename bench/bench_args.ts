/** Small helpers the experiment benches share: flag values and the CLI command that reproduces a run. */

export function option(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
}

export function cliCommand(raw: Record<string, unknown>, out: string, workers: number): string {
  const parts = ['node dist/src/cli/main.js search'];
  for (const [k, v] of Object.entries(raw)) parts.push(`--${k} ${typeof v === 'object' ? `'${JSON.stringify(v)}'` : String(v)}`);
  parts.push(`--workers ${workers} --out ${out} --json`);
  return parts.join(' ');
}
