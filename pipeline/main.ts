import { exitWith, processIO } from './process-io.js';
import { runPipeline } from './run.js';

// The plain entrypoint (`node dist/pipeline.mjs`): Kratix sets KRATIX_* and our settings in the
// environment. The image starts the same code from a startup snapshot instead: snapshot-entry.ts.
exitWith(await runPipeline(processIO()));
