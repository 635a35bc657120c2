// `pnpm holdfast …`: the server's CLI plus `worker`, which only this package can start.
import { runCli } from '@holdfast/server';
import { runWorkerProcess } from './main';

runCli(process.argv.slice(2), {
  worker: {
    usage: 'worker                                    run the expiry worker (same as the worker package start)',
    // Runs until a shutdown signal; the signal handler exits the process.
    run: () => runWorkerProcess().then(() => new Promise<number>(() => undefined)),
  },
});
