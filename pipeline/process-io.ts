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
