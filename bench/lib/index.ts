/**
 * The shared benchmark harness: machine info, median timing, a table printer, JSON
 * results and the quick/full switch.
 * @module
 */
export { machineInfo, type MachineInfo } from './machine.js';
export { benchMode, type BenchMode } from './mode.js';
export { printTable } from './table.js';
export { RESULTS_DIR, writeResults } from './results.js';
export { timeMedian, type Timing } from './timing.js';
export { svgLineChart, type ChartOptions, type Series } from './chart.js';
export { notAResult, QUIET_LOAD_PER_CORE, readLoad, settleLoad, type LoadReading } from './load.js';
export { rssOf, serveStore } from './service.js';
