import { defineConfig } from 'vitest/config';
import base from './vite.config.ts';

// The real-samples suite reads ../shared/samples, which a fresh clone does not have; it is a separate command.
export default defineConfig({
  ...base,
  test: { ...base.test, include: ['tests/samples/**/*.test.ts'] },
});
