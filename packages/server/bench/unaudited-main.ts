// The API of this package's build with the audit log switched off: the B arm of `ab.js --audit-off`, which
// measures what auditing costs the hot hold path. The switch is a service override injected here, never an
// environment variable or a parameter a production process could set.
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as ConfigModule from '../dist/config';
import type * as RuntimeModule from '../dist/runtime';
import type * as ServeModule from '../dist/serve';
import { SERVER_DIR } from './lib/server';

// Loaded at run time from the build under test (dist/), like lib/ceiling.ts does, not bundled into the bench.
const load = createRequire(__filename);
const { loadConfig } = load(path.join(SERVER_DIR, 'dist/config.js')) as typeof ConfigModule;
const { startRuntime } = load(path.join(SERVER_DIR, 'dist/runtime.js')) as typeof RuntimeModule;
const { onShutdownSignal, serveApi } = load(path.join(SERVER_DIR, 'dist/serve.js')) as typeof ServeModule;

async function main(): Promise<void> {
  const runtime = await startRuntime(loadConfig(), {
    log: { info: (m) => console.log(`[holdfast unaudited] ${m}`), warn: (m) => console.warn(`[holdfast] ${m}`) },
    overrides: { audit: { enabled: false } },
  });
  const api = await serveApi(runtime);
  onShutdownSignal(async () => {
    await api.close();
    await runtime.close();
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
