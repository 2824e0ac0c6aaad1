import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // End-to-end tests spawn the bundled pipeline; give a loaded CI machine room.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
