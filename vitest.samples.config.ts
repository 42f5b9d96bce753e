import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vite.config';

// The real-samples suite reads ../shared/samples, which a fresh clone does not have; it is a separate command.
export default mergeConfig(base, defineConfig({
  test: { include: ['tests/samples/**/*.test.ts'] },
}));
