// Shared Jest preset: SWC transpiles TypeScript with the legacy decorators and
// decorator metadata that NestJS dependency injection relies on.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2023',
        },
        module: { type: 'commonjs' },
      },
    ],
    // PGlite's CommonJS build loads node:fs and others with import(), which Jest's
    // VM refuses without --experimental-vm-modules; SWC turns those into require().
    '/@electric-sql/pglite/dist/.+\\.cjs$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'ecmascript' }, target: 'es2023' },
        module: { type: 'commonjs', ignoreDynamic: false },
      },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!@electric-sql/pglite/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    '^@obs/telemetry/sdk$': '<rootDir>/../../libs/telemetry/src/sdk/index.ts',
    '^@obs/telemetry/testing$': '<rootDir>/../../libs/telemetry/src/testing/in-memory-telemetry.ts',
    '^@obs/(.*)$': '<rootDir>/../../libs/$1/src/index.ts',
  },
  testMatch: ['**/*.spec.ts'],
  reporters: ['default', '<rootDir>/../../tools/jest-results-reporter.cjs'],
};
