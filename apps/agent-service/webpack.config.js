// Bundles the service's own code and the workspace libraries; every npm package
// stays external so the OpenTelemetry preload can patch it when it is required.
const { NxAppWebpackPlugin } = require('@nx/webpack/app-plugin');
const { join } = require('node:path');
const { DefinePlugin } = require('webpack');
const { version } = require('../../package.json');

module.exports = {
  output: { path: join(__dirname, '../../dist/apps/agent-service') },
  plugins: [
    new NxAppWebpackPlugin({
      target: 'node',
      compiler: 'tsc',
      main: './src/main.ts',
      additionalEntryPoints: [
        { entryName: 'instrumentation', entryPath: './src/instrumentation.ts' },
      ],
      tsConfig: './tsconfig.app.json',
      externalDependencies: 'all',
      generatePackageJson: true,
      optimization: false,
      outputHashing: 'none',
      sourceMap: true,
      skipTypeChecking: true,
    }),
    new DefinePlugin({ 'process.env.SERVICE_VERSION': JSON.stringify(version) }),
  ],
};
