/**
 * The benchmark's phase breakdown (scripts/bench.ts builds it into its own startup snapshot, like
 * dist/pipeline.blob): the image's snapshot entry, plus a clock read as each phase of the run ends.
 * Writes to $BENCH_PHASES_FILE one line per mark, `<name> <epoch ms> <CPU µs since process start>`
 * (main: the run starts, after the heap is deserialized; read, synth, observe, write: RunPhase; end:
 * runPipeline returned), and the node built-ins the run loaded that a steady-state run must not
 * (`builtins <names>`: tls means certificates were parsed).
 */
import { writeFileSync } from 'node:fs';
import { exitWith, processIO } from '../pipeline/process-io.js';
import { type RunPhase, runPipeline } from '../pipeline/run.js';
import { startFromSnapshot } from '../pipeline/snapshot.js';

const FORBIDDEN = /^NativeModule (tls|_tls_wrap|_tls_common|https|http2)$/;

startFromSnapshot(() => {
  const marks: string[] = [];
  const mark = (name: string): void => {
    const cpu = process.cpuUsage();
    marks.push(`${name} ${performance.timeOrigin + performance.now()} ${cpu.user + cpu.system}`);
  };
  mark('main');
  void runPipeline({ ...processIO(), phaseEnded: (phase: RunPhase) => mark(phase) }).then((code) => {
    mark('end');
    const loaded = ((process as unknown as { moduleLoadList: string[] }).moduleLoadList ?? []).filter((m) => FORBIDDEN.test(m));
    writeFileSync(process.env.BENCH_PHASES_FILE ?? '/dev/null', `${marks.join('\n')}\nbuiltins ${loaded.map((m) => m.slice('NativeModule '.length)).join(',')}\n`);
    exitWith(code);
  });
});
