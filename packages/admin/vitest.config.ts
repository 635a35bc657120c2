// Unit tests of the UI's logic (formatting, filters ↔ URL, rendering of small components): no browser, no server.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { include: ['src/**/*.test.{ts,tsx}'], environment: 'node' },
});
