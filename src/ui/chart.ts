/**
 * One bar of a chart: its label, its value, and how the value reads.
 *
 * @example
 * ```ts
 * const bar: Bar = { label: 'Matched', value: 1800, text: 'about 1,800' };
 * ```
 */
export interface Bar {
  label: string;
  value: number;
  text: string;
}

const SVG = 'http://www.w3.org/2000/svg';
const n = (x: number) => x.toLocaleString('en-US');

/**
 * The funnel of a match, in rows of the file that add up: rows read, rows
 * with a valid identifier, customers sent (repeats left out), customers
 * matched (the figure shown, never above those sent).
 *
 * @example
 * ```ts
 * funnelBars({ rowsRead: 5050, valid: 5010, sent: 5000, matched: 1800, matchedText: 'about 1,800' }).map((b) => b.value);
 * // [5050, 5010, 5000, 1800]
 * ```
 */
export function funnelBars(f: { rowsRead: number; valid: number; sent: number; matched?: number; matchedText?: string }): Bar[] {
  const bars: Bar[] = [
    { label: 'Rows read', value: f.rowsRead, text: n(f.rowsRead) },
    { label: 'With a valid identifier', value: f.valid, text: n(f.valid) },
    { label: 'Sent (repeats left out)', value: f.sent, text: n(f.sent) },
  ];
  if (f.matched !== undefined) {
    const matched = Math.min(f.matched, f.sent);
    bars.push({ label: 'On the platform', value: matched, text: f.matchedText ?? n(matched) });
  }
  return bars;
}

function el<K extends keyof SVGElementTagNameMap>(doc: Document, tag: K, attrs: Record<string, string | number>, text?: string) {
  const node = doc.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * A horizontal bar chart as accessible SVG: `role="img"` named by its
 * `<title>` and described by a `<desc>` that reads every bar in words, so a
 * screen reader gets the figures a sighted reader sees. Bars scale to `max`
 * (default the largest value); each is labelled with its text.
 *
 * @example
 * ```ts
 * figure.append(barChart(document, 'funnel', 'From your file to the platform', funnelBars(counts)));
 * ```
 */
export function barChart(doc: Document, id: string, title: string, bars: readonly Bar[], max?: number): SVGSVGElement {
  const labelWidth = 200;
  const barWidth = 300;
  const row = 28;
  const width = labelWidth + barWidth + 110;
  const height = bars.length * row + 8;
  const top = Math.max(max ?? 0, ...bars.map((b) => b.value), 1);
  const svg = el(doc, 'svg', {
    viewBox: `0 0 ${width} ${height}`,
    width,
    height,
    role: 'img',
    'aria-labelledby': `${id}-title ${id}-desc`,
    class: 'chart',
  });
  svg.append(
    el(doc, 'title', { id: `${id}-title` }, title),
    el(doc, 'desc', { id: `${id}-desc` }, bars.map((b) => `${b.label}: ${b.text}`).join('; ')),
  );
  bars.forEach((b, i) => {
    const y = 4 + i * row;
    const w = Math.max(b.value > 0 ? 2 : 0, Math.round((barWidth * b.value) / top));
    svg.append(
      el(doc, 'text', { x: labelWidth - 8, y: y + 17, 'text-anchor': 'end', class: 'chart-label' }, b.label),
      el(doc, 'rect', { x: labelWidth, y: y + 3, width: w, height: row - 8, class: `chart-bar chart-bar-${i}` }),
      el(doc, 'text', { x: labelWidth + w + 6, y: y + 17, class: 'chart-value' }, b.text),
    );
  });
  return svg;
}

/**
 * The share of the list on the platform as one bar from 0 to 100%: the
 * figure filled, its 95% range drawn as a band, with `role="img"` and a
 * description in words.
 *
 * @example
 * ```ts
 * figure.append(shareChart(document, { figure: 1800, low: 1700, high: 1900, total: 5000 }));
 * ```
 */
export function shareChart(doc: Document, s: { figure: number; low: number; high: number; total: number }): SVGSVGElement {
  const width = 610;
  const barWidth = 560;
  const x = (v: number) => 20 + Math.round((barWidth * Math.min(v, s.total)) / Math.max(s.total, 1));
  const pct = (v: number) => `${Math.round((100 * v) / Math.max(s.total, 1))}%`;
  const svg = el(doc, 'svg', {
    viewBox: `0 0 ${width} 70`,
    width,
    height: 70,
    role: 'img',
    'aria-labelledby': 'share-title share-desc',
    class: 'chart',
  });
  svg.append(
    el(doc, 'title', { id: 'share-title' }, 'Share of your customers on the platform'),
    el(doc, 'desc', { id: 'share-desc' }, `About ${pct(s.figure)} of ${n(s.total)} customers; 95% range ${pct(s.low)} to ${pct(s.high)}.`),
    el(doc, 'rect', { x: 20, y: 10, width: barWidth, height: 26, class: 'chart-track' }),
    el(doc, 'rect', { x: 20, y: 10, width: x(s.figure) - 20, height: 26, class: 'chart-bar chart-bar-3' }),
    el(doc, 'rect', { x: x(s.low), y: 6, width: Math.max(2, x(s.high) - x(s.low)), height: 34, class: 'chart-range' }),
    el(doc, 'text', { x: 20, y: 58, class: 'chart-value' }, '0%'),
    el(doc, 'text', { x: x(s.figure), y: 58, 'text-anchor': 'middle', class: 'chart-value' }, pct(s.figure)),
    el(doc, 'text', { x: 20 + barWidth, y: 58, 'text-anchor': 'end', class: 'chart-value' }, '100%'),
  );
  return svg;
}
