import { exitWith, processIO } from './process-io.js';
import { runPipeline } from './run.js';
import { startFromSnapshot } from './snapshot.js';

// Entry of the startup snapshot the image runs (scripts/build.mjs → dist/pipeline.blob); the rules
// for the code it reaches are in snapshot.ts.
startFromSnapshot(() => void runPipeline(processIO()).then(exitWith));
