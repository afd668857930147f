// Jest reporter that records each project's pass/fail counts under
// reports/test-results/, so `npm test` can print one closing total.
const { mkdirSync, writeFileSync } = require('node:fs');
const { basename, join } = require('node:path');

class ResultsReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const dir = join(__dirname, '..', 'reports', 'test-results');
    mkdirSync(dir, { recursive: true });
    const project = basename(this.rootDir);
    const failedSuites = results.numRuntimeErrorTestSuites;
    writeFileSync(
      join(dir, `${project}.json`),
      JSON.stringify({
        project,
        passed: results.numPassedTests,
        // A suite that fails to load has no failed tests, but it is a failure.
        failed: results.numFailedTests + failedSuites,
        skipped: results.numPendingTests + results.numTodoTests,
      }),
    );
  }
}

module.exports = ResultsReporter;
