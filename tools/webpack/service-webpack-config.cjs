// The webpack config every service shares: bundles the service's own code and the
// workspace libraries into dist/apps/<service>/ (main.js and the instrumentation.js
// preload); every npm package stays external so the OpenTelemetry preload can
// patch it when it is required.
const { NxAppWebpackPlugin } = require('@nx/webpack/app-plugin');
const { join } = require('node:path');
const { DefinePlugin } = require('webpack');
const { version } = require('../../package.json');

/**
 * @param {string} appDir the app's folder (its webpack.config.js passes __dirname)
 * @param {{ migrations?: boolean }} options migrations: copy src/database/migrations beside main.js
 */
function serviceWebpackConfig(appDir, { migrations = false } = {}) {
  const name = require(join(appDir, 'project.json')).name;
  return {
    output: { path: join(__dirname, '../../dist/apps', name) },
    plugins: [
      new NxAppWebpackPlugin({
        target: 'node',
        compiler: 'tsc',
        main: './src/main.ts',
        additionalEntryPoints: [
          { entryName: 'instrumentation', entryPath: './src/instrumentation.ts' },
        ],
        tsConfig: './tsconfig.app.json',
        assets: migrations
          ? [{ input: './src/database/migrations', glob: '**/*', output: 'migrations' }]
          : [],
        externalDependencies: 'all',
        generatePackageJson: true,
        optimization: false,
        outputHashing: 'none',
        sourceMap: true,
        // `nx typecheck` checks types; the build only transpiles.
        skipTypeChecking: true,
      }),
      // The build stamps the workspace version as the telemetry's service.version.
      new DefinePlugin({ 'process.env.SERVICE_VERSION': JSON.stringify(version) }),
    ],
  };
}

module.exports = { serviceWebpackConfig };
