import { join } from 'node:path';

/** The SQL migrations beside this file in the sources, and beside main.js once bundled. */
export const MIGRATIONS_FOLDER = join(__dirname, 'migrations');
