import { defineConfig, type UserConfig } from 'vite';
import base from './vite.config.ts';

// The native half of the scale benchmark (tests/bench/*.native.ts): run by `npm run bench` (one process per file and
// thread count) or `npm run bench:native`, never by `npm test`. Same aliases and transforms as the unit tests.
const served = (base as (env: { mode: string; command: 'serve' | 'build' }) => UserConfig)({ mode: 'test', command: 'serve' });
export default defineConfig({
  ...served,
  test: {
    ...served.test,
    include: ['tests/bench/**/*.native.ts'],
    // One file, one process: its peak memory is the run's, and nothing else competes for the two cores.
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 3 * 60 * 60 * 1000,
  },
});
