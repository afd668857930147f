// Lint for the whole workspace: Nx module boundaries (tags in each project.json)
// plus type-aware typescript-eslint rules; an un-awaited promise is an error.
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/** Imports the preload's `files` must not make: Nest, the libraries' Nest entry points, `localRegex`. */
function preloadBoundary(files, localRegex) {
  const message =
    'The preload must not load Nest: import @obs/telemetry/sdk, OpenTelemetry and Nest-free files only.';
  return {
    files,
    ignores: ['**/*.spec.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(@nestjs/|nestjs-|@willsoto/nestjs-|@obs/service-kit$|@obs/telemetry$)',
              message,
              allowTypeImports: true,
            },
            { regex: localRegex, message, allowTypeImports: true },
          ],
        },
      ],
    },
  };
}

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    ignores: [
      '**/dist',
      '**/node_modules',
      '**/.nx',
      '**/.data',
      '**/reports',
      '**/.tools',
      'deploy/**',
      'load-tests/**',
      'bench/**',
      'tools/**',
      '**/webpack.config.js',
      '**/jest.config.ts',
      'jest.preset.js',
      '**/migrations/**',
      '**/drizzle.config.ts',
    ],
  },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          // The end-to-end suite starts services through the workspace's launcher script and
          // reads the topology module by path, as the other Node scripts do.
          allow: [
            '../../tools/services/launcher.ts',
            '../../tools/harness/sign-up.ts',
            '../../libs/api-contracts/src/topology.ts',
          ],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'layer:telemetry', onlyDependOnLibsWithTags: ['layer:telemetry'] },
            {
              sourceTag: 'layer:contracts',
              onlyDependOnLibsWithTags: ['layer:contracts'],
            },
          ],
        },
      ],
    },
  },
  {
    // node:test's describe() and test() return promises the runner itself awaits.
    files: ['e2e/**/*.ts'],
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['describe', 'test', 'before', 'after'],
            },
          ],
        },
      ],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  // The preload (`node --require instrumentation.js`, which imports service.ts) starts
  // OpenTelemetry before the modules it instruments load: it must not load Nest.
  preloadBoundary(['apps/*/src/instrumentation.ts', 'apps/*/src/service.ts'], '^\\./(?!service$)'),
  preloadBoundary(['libs/telemetry/src/sdk/**/*.ts'], '^\\.\\./(?!http/polled-paths$)'),
  {
    files: ['**/*.spec.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  prettier,
  { ...tseslint.configs.disableTypeChecked, files: ['**/*.mjs', '**/*.js'] },
];
