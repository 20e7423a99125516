import { defineConfig } from 'vitest/config';

// Unit tests for the front-end logic (pure modules under src/); run by `npm test` and by ctest
// (web_unit). The browser-level behaviour is covered by tests/e2e with the real binary.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
