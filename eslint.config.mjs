// Lint for the whole workspace: typescript-eslint's recommended rules plus the layering of ARCHITECTURE.md
// as import restrictions (routers never touch models, services never see HTTP or tRPC, the SDK takes only
// types from the server, the worker enters through the server's public exports).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const noDeepServerImports = {
  group: ['@holdfast/server/*', '**/server/src/**'],
  message: 'Enter the server through its package exports (@holdfast/server).',
};

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/node_modules/**', '**/.data/**', '**/coverage/**', '**/build/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'off',
    },
  },
  {
    files: ['packages/server/scripts/**/*.mjs', 'packages/admin/scripts/**/*.mjs'],
    languageOptions: { globals: { console: 'readonly', process: 'readonly', URL: 'readonly' } },
  },
  {
    files: ['packages/server/topology/**/*.mjs', 'packages/server/topology/**/*.cjs'],
    languageOptions: {
      globals: {
        console: 'readonly',
        process: 'readonly',
        URL: 'readonly',
        fetch: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
      },
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { module: 'writable', require: 'readonly', __dirname: 'readonly', process: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Tests (and the test kit's reply helpers) poke at JSON bodies of any shape.
    files: ['**/test/**/*.ts', '**/bench/**/*.ts', 'packages/test-kit/src/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    files: ['packages/server/src/**/*.router.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/*.model', '**/db/*'],
              message: 'Routers call services; they never touch models or the database.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['packages/server/src/**/*.service.ts', 'packages/server/src/modules/**/hold-ledger.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'fastify', message: 'Services never see HTTP.' }],
          patterns: [
            {
              group: ['@trpc/*', 'trpc-to-openapi', '**/trpc/*', '**/http/*'],
              message: 'Services never import tRPC or the HTTP layer.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['packages/sdk/src/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            { name: '@holdfast/server', allowTypeImports: true, message: 'The SDK takes only types from the server.' },
          ],
          patterns: [
            {
              group: ['@holdfast/server/*', '**/packages/server/**', '../../server/**'],
              allowTypeImports: true,
              message: 'The SDK takes only types from the server.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['packages/worker/src/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [noDeepServerImports] }] },
  },
);
