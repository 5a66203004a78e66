// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layers of src/, lowest first: each folder may import only the folders it
 * lists (and the shared root modules: errors, bytes, validate, atomic-file).
 * ARCHITECTURE.md draws them; `npm run lint` refuses an import against them.
 */
const LAYERS = {
  // Byte sources, uniform draws, the HMAC-DRBG and permutations: every layer draws its randomness here.
  random: [],
  identifiers: ['random'],
  group: ['random'],
  join: ['random'],
  // Node only: identifier files (CSV streams, hash files) on top of the browser-safe identifiers.
  files: ['random', 'identifiers'],
  // Node only: the worker threads blinders spread over, on top of the browser-safe group.
  pool: ['random', 'group'],
  homomorphic: ['random', 'group'],
  // The frames carry ElGamal ciphertexts: their size is the homomorphic layer's.
  wire: ['random', 'group', 'homomorphic'],
  disclosure: ['random', 'wire'],
  protocol: ['random', 'identifiers', 'group', 'join', 'wire', 'disclosure'],
  measurement: ['random', 'identifiers', 'group', 'join', 'wire', 'disclosure', 'homomorphic', 'protocol'],
  store: ['random', 'identifiers', 'group', 'join', 'files', 'pool', 'wire', 'disclosure', 'protocol'],
  // The job queue of a prepare spread over workers: segments of the store, blinded elsewhere.
  queue: ['random', 'identifiers', 'group', 'join', 'files', 'pool', 'wire', 'disclosure', 'protocol', 'store'],
  service: [
    'random',
    'identifiers',
    'group',
    'join',
    'files',
    'pool',
    'wire',
    'disclosure',
    'homomorphic',
    'protocol',
    'measurement',
    'store',
  ],
  transport: [
    'random',
    'identifiers',
    'group',
    'join',
    'files',
    'pool',
    'wire',
    'disclosure',
    'homomorphic',
    'protocol',
    'measurement',
    'store',
    'service',
  ],
  cli: [
    'random',
    'identifiers',
    'group',
    'join',
    'files',
    'pool',
    'wire',
    'disclosure',
    'homomorphic',
    'protocol',
    'measurement',
    'store',
    'queue',
    'service',
    'transport',
  ],
  // The advertiser's page: the browser-safe core and the HTTP client, never the platform's service.
  ui: ['random', 'identifiers', 'group', 'join', 'wire', 'disclosure', 'protocol', 'measurement', 'transport'],
};
/** Folders whose every module runs in a browser: no `node:` import (Node's parts sit in files/, pool/ and above). */
const BROWSER = ['random', 'identifiers', 'group', 'join', 'wire', 'disclosure', 'homomorphic', 'protocol', 'measurement', 'ui'];
/** The advertiser's side of transport, bundled into the page and the browser entry: no platform code. */
const CLIENT = [
  'src/transport/client.ts',
  'src/transport/fetch-terms.ts',
  'src/transport/http-port.ts',
  'src/transport/match-progress.ts',
  'src/transport/match-types.ts',
  'src/transport/own-set.ts',
  'src/transport/protocol-http.ts',
  'src/transport/retrying-request.ts',
  'src/transport/service-errors.ts',
  'src/transport/session-loop.ts',
  'src/transport/session-readback.ts',
];

/**
 * Modules narrower than their layer: the service's HTTP side reaches the platform's store only
 * through the service, whose composition root (service/platform.ts) opens it.
 */
const NARROWER = {
  'src/transport/handler.ts': 'transport',
  'src/transport/server.ts': 'transport',
};
const NARROWER_PATTERNS = [
  {
    group: ['../store/*', '../store'],
    message: 'the HTTP handler and server reach the store only through the service (service/platform.ts opens it)',
  },
];

const allowedOf = new Map(Object.entries(LAYERS));
const folders = [...allowedOf.keys()];
/**
 * What a module of `folder` may not import: the layers it does not list, and node: modules in browsers.
 * @param {string} folder
 */
const layerPatterns = (folder) => {
  const allowed = allowedOf.get(folder) ?? [];
  const forbidden = folders.filter((f) => f !== folder && !allowed.includes(f));
  return [
    ...forbidden.map((f) => ({
      group: [`../${f}/*`, `../../${f}/*`, `../../../${f}/*`, `../${f}`, `../../${f}`],
      message: `src/${folder} sits below src/${f} in the layers (eslint.config.js, ARCHITECTURE.md)`,
    })),
    ...(BROWSER.includes(folder) ? [{ group: ['node:*'], message: `src/${folder} runs in browsers: no node: modules` }] : []),
  ];
};
const layerRules = [
  ...folders.map((folder) => ({ files: [`src/${folder}/**/*.ts`], patterns: layerPatterns(folder) })),
  ...Object.entries(NARROWER).map(([file, folder]) => ({ files: [file], patterns: [...layerPatterns(folder), ...NARROWER_PATTERNS] })),
].map(({ files, patterns }) => ({ files, rules: { 'no-restricted-imports': ['error', { patterns }] } }));

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', 'reports/', 'bench/peers/', 'bench/results/', 'node_modules/', '.stryker-tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js', '*.mjs', '*.ts'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // The threat model's rule: every promise is awaited or handled.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      // An async function without await is how a validation failure becomes a rejection, never a throw.
      '@typescript-eslint/require-await': 'off',
      // Backends are plain objects of functions that never use \`this\`.
      '@typescript-eslint/unbound-method': 'off',
      eqeqeq: 'error',
      'no-console': ['error', { allow: ['error'] }],
      // Non-null assertions follow bounds checks on typed arrays throughout; the strict index checks stay on.
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
    },
  },
  ...layerRules,
  {
    files: CLIENT,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../service/*', '../store/*', '../files/*', '../pool/*', '../cli/*', '../ui/*', 'node:*'],
              message: "the advertiser's client runs in browsers and knows nothing of the platform's code",
            },
            {
              group: ['./handler*', './server*', './replicas*', './static-ui*', './metrics-server*'],
              message: "the advertiser's client knows nothing of the service's HTTP side",
            },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**', 'bench/**'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      'no-console': 'off',
      '@typescript-eslint/restrict-plus-operands': 'off',
    },
  },
);
