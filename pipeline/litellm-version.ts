import { PipelineError, UnsupportedLiteLLMError } from './errors.js';
import { LiteLLMClient, type LiteLLMResponse } from './litellm-client.js';

/**
 * The oldest LiteLLM release with every management API the pipeline relies on:
 * - `GET /key/list?status=deleted` (BerriAI/litellm PRs #18228/#19260, v1.81.0): older releases
 *   ignore `status` and list live keys, so the "never revive a revoked key" guard would check nothing;
 * - hashed `token`s in `GET /team/info` and hash-named keys on `/key/update` and `/key/delete`,
 *   which every run relies on to name keys without their plaintext.
 * Keep in step with LITELLM_IMAGE (constructs/promise-config.ts) and docs/compatibility of README.
 */
export const MINIMUM_LITELLM_VERSION = '1.81.0';

/** `major.minor.patch` of a LiteLLM version string, or null when it is not one. */
export type LiteLLMVersion = readonly [number, number, number];

/**
 * Reads the release out of what LiteLLM reports (`1.81.0`) or how its images are tagged
 * (`v1.81.0`, `main-v1.81.0-stable`, `1.81.3.rc.1`, `1.80.15-stable.1`): the first `X.Y.Z`.
 */
export function parseLiteLLMVersion(text: string): LiteLLMVersion | null {
  const match = /(?:^|[^0-9.])v?(\d{1,4})\.(\d{1,4})\.(\d{1,4})(?![0-9])/.exec(text);
  if (!match) return null;
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

/** Negative, zero or positive as `a` is older than, the same as or newer than `b`. */
export function compareVersions(a: LiteLLMVersion, b: LiteLLMVersion): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/**
 * Null when the proxy is recent enough, else the one-line reason to refuse it. A version that
 * cannot be read is refused too: the pipeline cannot tell it has the APIs it needs.
 */
export function versionProblem(found: string | undefined, minimum: string = MINIMUM_LITELLM_VERSION): string | null {
  const wanted = parseLiteLLMVersion(minimum);
  if (wanted === null) throw new Error(`minimum LiteLLM version '${minimum}' is not X.Y.Z`);
  const shown = found === undefined ? 'no version' : `version '${found.slice(0, 40)}'`;
  const version = found === undefined ? null : parseLiteLLMVersion(found);
  if (version === null) {
    return `LiteLLM reported ${shown}; this promise needs LiteLLM ${minimum} or newer and cannot check it`;
  }
  if (compareVersions(version, wanted) < 0) {
    return `LiteLLM ${version.join('.')} is older than ${minimum}, the minimum this promise supports: upgrade the gateway image (config.gateway.image)`;
  }
  return null;
}

function versionIn(response: LiteLLMResponse): string | undefined {
  const body = response.body as { litellm_version?: unknown } | undefined;
  return typeof body?.litellm_version === 'string' ? body.litellm_version : undefined;
}

/**
 * Asks the proxy which release it runs and refuses an older one. Newer releases serve the version
 * only at `GET /health/readiness/details` (authenticated); older ones have no such route (404) and
 * put `litellm_version` in the public `GET /health/readiness` itself
 * (litellm/proxy/health_endpoints/_health_endpoints.py). Two reads at most, and only in runs that
 * are about to write: a steady-state run never comes here.
 */
export async function requireSupportedLiteLLM(client: LiteLLMClient, minimum: string = MINIMUM_LITELLM_VERSION): Promise<string> {
  let response = await client.get('/health/readiness/details');
  let path = '/health/readiness/details';
  if (response.status === 404) {
    response = await client.get('/health/readiness');
    path = '/health/readiness';
  }
  if (response.status !== 200) throw new PipelineError(client.describe('GET', path, response));
  const found = versionIn(response);
  const problem = versionProblem(found, minimum);
  if (problem === null) return found!;
  // A parsed release that is too old names only two version numbers: the status may show it. An
  // unreadable one may be anything the proxy sent, so it stays in the pipeline log.
  throw parseLiteLLMVersion(found ?? '') !== null ? new UnsupportedLiteLLMError(problem) : new PipelineError(problem);
}

/**
 * A LiteLLM client that checks the proxy's release once, just before its first write. Reads go
 * straight through, so a run that only observes (steady state, dry run) costs no extra call.
 */
export class VersionCheckedClient extends LiteLLMClient {
  private checked: Promise<string> | undefined;

  override async post(path: string, body: unknown): Promise<LiteLLMResponse> {
    this.checked ??= requireSupportedLiteLLM(this);
    await this.checked;
    return super.post(path, body);
  }
}
