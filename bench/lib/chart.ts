/**
 * A dependency-free SVG line chart on log-scaled x, for scaling curves in the docs.
 * @module
 */

/**
 * One line of a chart: its label, colour and points (x > 0).
 *
 * @example
 * ```ts
 * const s: Series = { label: 'x25519', color: '#1f77b4', points: [[1e3, 20_000], [1e4, 40_000]] };
 * ```
 */
export interface Series {
  label: string;
  color: string;
  /** Draw the line dashed (e.g. a derived figure next to a measured one). */
  dashed?: boolean;
  points: [number, number][];
}

/**
 * Options of {@link svgLineChart}.
 *
 * @example
 * ```ts
 * const opts: ChartOptions = { title: 'items/s', xLabel: 'items per side', yLabel: 'items/s' };
 * ```
 */
export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  width?: number;
  height?: number;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (n: number) => (n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${Math.round(n / 1e3)}k` : String(Math.round(n)));

/**
 * Draws `series` as lines with dots over a log10 x axis (decades labelled) and a
 * linear y axis from 0; returns the SVG text. Deterministic, so regenerating from
 * the same results gives the same file.
 *
 * @example
 * ```ts
 * writeFileSync('docs/scaling.svg', svgLineChart([s], { title: 'Scaling', xLabel: 'n', yLabel: 'items/s' }));
 * ```
 */
export function svgLineChart(series: Series[], opts: ChartOptions): string {
  const width = opts.width ?? 640;
  const height = opts.height ?? 360;
  const m = { left: 70, right: 190, top: 36, bottom: 48 };
  const all = series.flatMap((s) => s.points);
  const lx = all.map(([x]) => Math.log10(x));
  const x0 = Math.floor(Math.min(...lx));
  const x1 = Math.ceil(Math.max(...lx));
  const yMax = Math.max(...all.map(([, y]) => y)) * 1.1;
  const step = 10 ** Math.floor(Math.log10(yMax / 2));
  const yTop = Math.ceil(yMax / step) * step;
  const px = (x: number) => m.left + ((Math.log10(x) - x0) / Math.max(1, x1 - x0)) * (width - m.left - m.right);
  const py = (y: number) => height - m.bottom - (y / yTop) * (height - m.top - m.bottom);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="14">${esc(opts.title)}</text>`,
  ];
  for (let d = x0; d <= x1; d++) {
    const x = px(10 ** d);
    out.push(`<line x1="${x}" y1="${m.top}" x2="${x}" y2="${height - m.bottom}" stroke="#ddd"/>`);
    out.push(`<text x="${x}" y="${height - m.bottom + 16}" text-anchor="middle">10^${d}</text>`);
  }
  for (let y = 0; y <= yTop + 1e-9; y += step) {
    const yy = py(y);
    out.push(`<line x1="${m.left}" y1="${yy}" x2="${width - m.right}" y2="${yy}" stroke="#eee"/>`);
    out.push(`<text x="${m.left - 6}" y="${yy + 4}" text-anchor="end">${fmt(y)}</text>`);
  }
  out.push(`<text x="${(m.left + width - m.right) / 2}" y="${height - 10}" text-anchor="middle">${esc(opts.xLabel)}</text>`);
  out.push(`<text x="16" y="${height / 2}" text-anchor="middle" transform="rotate(-90 16 ${height / 2})">${esc(opts.yLabel)}</text>`);
  series.forEach((s, i) => {
    const pts = [...s.points].sort((a, b) => a[0] - b[0]);
    const dash = s.dashed === true ? ' stroke-dasharray="6 4"' : '';
    out.push(
      `<polyline fill="none" stroke="${s.color}" stroke-width="2"${dash} points="${pts.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ')}"/>`,
    );
    for (const [x, y] of pts)
      out.push(
        `<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="3.5" fill="${s.color}"><title>${esc(`${s.label}: ${fmt(x)} per side, ${Math.round(y)} items/s`)}</title></circle>`,
      );
    const ly = m.top + 10 + i * 20;
    out.push(
      `<line x1="${width - m.right + 12}" y1="${ly}" x2="${width - m.right + 32}" y2="${ly}" stroke="${s.color}" stroke-width="2"${dash}/>`,
    );
    out.push(`<text x="${width - m.right + 38}" y="${ly + 4}">${esc(s.label)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
