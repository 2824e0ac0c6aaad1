import type { RunIO } from './run.js';

/**
 * The IO of a pipeline process: Kratix sets KRATIX_* and our settings in the environment and reads
 * the container's stdout/stderr. Shared by both entrypoints (main.ts and snapshot-entry.ts), and read
 * when called: in the startup snapshot that is at run time, never at snapshot build time.
 */
export function processIO(): RunIO {
  return {
    env: process.env,
    log: (line) => process.stdout.write(`${line}\n`),
    error: (line) => process.stderr.write(`${line}\n`),
  };
}

/**
 * Ends the process once a run is done, without the teardown of a natural exit (Node frees the heap,
 * the environment and the isolate when the event loop runs dry, ~5-10 ms of CPU in every run). Safe
 * because everything a run leaves is already written: its files synchronously, and stdout/stderr,
 * which are synchronous for files and pipes on Linux (a container's streams); an idle keep-alive
 * socket to LiteLLM is closed by the kernel either way.
 */
export function exitWith(code: number): never {
  process.exit(code);
}
