/** Summary statistics the benchmarks print. */

/** The median of a non-empty list (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of an empty list');
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** This process's CPU time so far (user + system, all threads), ms: cores busy = CPU ms ÷ wall ms. */
export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** A throughput and the cores this process kept busy while it was measured (CPU seconds per wall second). */
export interface Rate {
  perS: number;
  cores: number;
}
