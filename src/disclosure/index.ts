/**
 * The disclosure module: what the party that learns a matched set may release
 * of it (docs/privacy.md). Browser-safe: no `node:` imports. The persisted
 * privacy budgets are the service's (`src/service/ledger.ts` on files,
 * `src/service/postgres/budget.ts`).
 * @module
 */
export * from './epsilon.js';
export * from './laplace.js';
export * from './policy.js';
export * from './display.js';
export * from './release.js';
export * from './exact.js';
