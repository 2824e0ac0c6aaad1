import { runPipeline } from './run.js';

// The container's entrypoint: Kratix sets KRATIX_* and our settings in the environment.
process.exitCode = await runPipeline({
  env: process.env,
  log: (line) => process.stdout.write(`${line}\n`),
  error: (line) => process.stderr.write(`${line}\n`),
});
