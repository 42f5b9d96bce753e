import { defineConfig, type UserConfig } from 'vite';
import base from './vite.config.ts';

// The real-samples suite reads ../shared/samples, which a fresh clone does not have; it is a separate command.
const served = (base as (env: { mode: string; command: 'serve' | 'build' }) => UserConfig)({ mode: 'test', command: 'serve' });
export default defineConfig({
  ...served,
  test: { ...served.test, include: ['tests/samples/**/*.test.ts'] },
});
