/**
 * Draws the end-to-end scaling curve of both group suites (items/s against items per
 * side, balanced sessions) from bench/results/e2e.json and, when present,
 * bench/results/e2e-1e6.json, into docs/benchmarks-scaling.svg.
 *
 *   npx tsx bench/chart.ts
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RESULTS_DIR, svgLineChart, type Series } from './lib/index.js';

interface Row {
  group: string;
  initiatorItems: number;
  responderItems: number;
  itemsPerS: number;
  coresUsed: number;
}

const COLORS: Record<string, string> = { x25519: '#1f77b4', ristretto255: '#d62728' };
const rows: Row[] = [];
for (const name of ['e2e.json', 'e2e-1e6.json']) {
  const path = join(RESULTS_DIR, name);
  if (existsSync(path)) rows.push(...(JSON.parse(readFileSync(path, 'utf8')) as { rows: Row[] }).rows);
}
const balanced = rows.filter((r) => r.initiatorItems === r.responderItems && r.group !== undefined);
const groups = [...new Set(balanced.map((r) => r.group))];
// Measured wall-clock rate, and the rate per CPU-second times 2: what 2 unshared cores would give
// (the machine is shared, so the wall rate depends on other jobs' load; CPU time does much less).
const series: Series[] = groups.flatMap((group) => {
  const mine = balanced.filter((r) => r.group === group);
  return [
    {
      label: `${group}, measured`,
      color: COLORS[group] ?? '#555',
      points: mine.map((r) => [r.initiatorItems, r.itemsPerS] as [number, number]),
    },
    {
      label: `${group}, 2 x per CPU s`,
      color: COLORS[group] ?? '#555',
      dashed: true,
      points: mine.map((r) => [r.initiatorItems, (2 * r.itemsPerS) / r.coresUsed] as [number, number]),
    },
  ];
});
const out = fileURLToPath(new URL('../docs/benchmarks-scaling.svg', import.meta.url));
writeFileSync(
  out,
  svgLineChart(series, {
    title: 'blindjoin end to end, balanced n x n, 2 cores (both parties in one process)',
    xLabel: 'items per side (n)',
    yLabel: 'items/s (2n / wall time)',
  }),
);
console.log(`wrote ${out}`);
