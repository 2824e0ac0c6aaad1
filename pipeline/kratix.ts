import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { YAMLException, dump, load } from 'js-yaml';
import { quote } from '../constructs/validation.js';
import { PipelineError, RequestError, oneLine } from './errors.js';

/** Kratix hands over a Kubernetes object; anything near this size is not one. */
const MAX_INPUT_BYTES = 1024 * 1024;

/** The Kratix side of a run: where files are, and which workflow this is. */
export interface KratixContext {
  readonly dir: string;
  readonly workflowType: string;
  readonly workflowAction: string;
}

export function kratixContext(env: NodeJS.ProcessEnv): KratixContext {
  return {
    dir: env.KRATIX_DIR || '/kratix',
    workflowType: env.KRATIX_WORKFLOW_TYPE ?? '',
    workflowAction: env.KRATIX_WORKFLOW_ACTION ?? '',
  };
}

/** Reads and parses `input/object.yaml`. YAML aliases are refused: Kratix never writes any. */
export function readObject(ctx: KratixContext): unknown {
  const path = join(ctx.dir, 'input', 'object.yaml');
  let text: string;
  try {
    if (statSync(path).size > MAX_INPUT_BYTES) throw new RequestError(`${path} is larger than ${MAX_INPUT_BYTES} bytes`);
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof PipelineError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new PipelineError(`${path} does not exist: Kratix mounts the request there for resource workflows (is KRATIX_DIR ${quote(ctx.dir)} right?)`);
    }
    throw new PipelineError(`cannot read ${path}: ${code ?? String(error)}`);
  }
  try {
    return load(text, { maxAliases: 0, maxDepth: 64 });
  } catch (error) {
    throw new RequestError(yamlErrorMessage(path, error));
  }
}

/** The metadata files this pipeline writes; everything else in metadata/ belongs to Kratix. */
const OWNED_METADATA = ['status.yaml', 'destination-selectors.yaml', 'workflow-control.yaml'];

/**
 * Removes what an earlier attempt of this pipeline may have left: Kratix restarts a failed
 * container in the same pod with the same emptyDirs (kratix-contract.md §6), so a
 * `workflow-control.yaml` or half the outputs of a failed attempt would otherwise become part of
 * this attempt's result. `outputDirs` are the output/ subdirectories the pipeline writes.
 */
export function clearPreviousAttempt(ctx: KratixContext, outputDirs: readonly string[]): void {
  const paths = [...outputDirs.map((d) => join(ctx.dir, 'output', d)), ...OWNED_METADATA.map((f) => join(ctx.dir, 'metadata', f))];
  for (const path of paths) {
    try {
      rmSync(path, { recursive: true, force: true });
    } catch (error) {
      throw new PipelineError(`cannot clear ${path}, which an earlier attempt may have left: ${fsProblem(error)}`);
    }
  }
}

/** `<path> is not valid YAML at line 2, column 7: <reason>`: one sentence, without js-yaml's code excerpt. */
export function yamlErrorMessage(path: string, error: unknown): string {
  if (error instanceof YAMLException && error.mark) {
    return `${path} is not valid YAML at line ${error.mark.line + 1}, column ${error.mark.column + 1}: ${oneLine(error.reason, 200)}`;
  }
  return `${path} is not valid YAML: ${oneLine(String((error as Error)?.message ?? error), 200)}`;
}

/**
 * Why the workflow is not one this pipeline runs, in the words of the two env vars Kratix sets:
 * "not set" when one is missing, never an empty quote.
 */
export function unknownWorkflowMessage(ctx: KratixContext): string {
  const unset = [ctx.workflowType ? '' : 'KRATIX_WORKFLOW_TYPE', ctx.workflowAction ? '' : 'KRATIX_WORKFLOW_ACTION'].filter(Boolean);
  if (unset.length > 0) {
    return `${unset.join(' and ')} ${unset.length > 1 ? 'are' : 'is'} not set: Kratix sets them in a workflow; by hand, use promise/configure, resource/configure or resource/delete`;
  }
  return `KRATIX_WORKFLOW_TYPE/KRATIX_WORKFLOW_ACTION ${quote(`${ctx.workflowType}/${ctx.workflowAction}`)} is not one of promise/configure, resource/configure, resource/delete`;
}

/** Writes `output/<path>` for each file; Kratix turns every file there into a workload. */
export function writeOutputs(ctx: KratixContext, files: ReadonlyMap<string, string>): void {
  for (const [path, content] of files) writeFile(join(ctx.dir, 'output', path), content);
}

/**
 * Writes `metadata/status.yaml`. Kratix replaces each top-level key whole, so callers pass every
 * key they own, complete.
 */
export function writeStatus(ctx: KratixContext, status: Record<string, unknown>): void {
  writeFile(join(ctx.dir, 'metadata', 'status.yaml'), dump(status, { noRefs: true, lineWidth: -1 }));
}

/** One entry of `metadata/destination-selectors.yaml` (hyphen: Kratix ignores the underscore name). */
export interface DestinationSelector {
  readonly directory: string;
  readonly matchLabels: Readonly<Record<string, string>>;
}

export function writeDestinationSelectors(ctx: KratixContext, selectors: readonly DestinationSelector[]): void {
  writeFile(join(ctx.dir, 'metadata', 'destination-selectors.yaml'), dump(selectors, { noRefs: true, lineWidth: -1 }));
}

/** `metadata/workflow-control.yaml`: Kratix re-runs this pipeline after `retryAfter` (a Go duration). */
export function writeRetryAfter(ctx: KratixContext, retryAfter: string, message: string): void {
  writeFile(join(ctx.dir, 'metadata', 'workflow-control.yaml'), dump({ retryAfter, message }, { noRefs: true, lineWidth: -1 }));
}

function writeFile(path: string, content: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  } catch (error) {
    throw new PipelineError(`cannot write ${path}: ${fsProblem(error)}`);
  }
}

function fsProblem(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? oneLine(String(error), 120);
}
