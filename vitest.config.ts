import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: '.',
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/global-setup.ts'],
    // Generous: software WebGL in headless Chromium is slow, more so on a busy 2-core machine.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Two cores here: browser tests and the seeded-database tests must not fight over them.
    fileParallelism: false,
  },
});
