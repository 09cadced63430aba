/** Compact numbers and durations for terminals and tables (3 significant digits, exponent when very small or large). */
export function formatNumber(v: unknown): string {
  if (typeof v !== 'number' || Number.isNaN(v)) return '-';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a < 1e-3 || a >= 1e5) {
    const [m, e] = v.toExponential(2).split('e');
    return `${m!.replace(/\.?0+$/, '')}e${e!.replace('+', '')}`;
  }
  if (a >= 1000) return String(Math.round(v));
  return String(Number(v.toPrecision(3)));
}

export function formatDuration(ms: unknown): string {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return '-';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const total = Math.round(s);
  const h = Math.floor(total / 3600);
  const min = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  return h ? `${h} h ${String(min).padStart(2, '0')} min` : `${min} min ${String(sec).padStart(2, '0')} s`;
}
