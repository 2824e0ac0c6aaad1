import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LITELLM_IMAGE } from '../constructs/index.js';
import { PipelineError } from '../pipeline/errors.js';
import { MINIMUM_LITELLM_VERSION, VersionCheckedClient, compareVersions, parseLiteLLMVersion, requireSupportedLiteLLM, versionProblem } from '../pipeline/litellm-version.js';
import { LiteLLMEmulator } from './support/litellm-emulator.js';

describe('parseLiteLLMVersion', () => {
  it('reads what the proxy reports and how its images are tagged', () => {
    // litellm_version is importlib.metadata.version("litellm"): plain X.Y.Z
    expect(parseLiteLLMVersion('1.81.0')).toEqual([1, 81, 0]);
    expect(parseLiteLLMVersion('v1.80.12')).toEqual([1, 80, 12]);
    expect(parseLiteLLMVersion('main-v1.81.0-stable')).toEqual([1, 81, 0]);
    expect(parseLiteLLMVersion('v1.80.15-stable.1')).toEqual([1, 80, 15]);
    expect(parseLiteLLMVersion('1.83.3.rc.1')).toEqual([1, 83, 3]);
    expect(parseLiteLLMVersion('ghcr.io/berriai/litellm-non_root:main-v1.81.0-stable')).toEqual([1, 81, 0]);
  });

  it('finds no version in text without X.Y.Z', () => {
    expect(parseLiteLLMVersion('')).toBeNull();
    expect(parseLiteLLMVersion('main-stable')).toBeNull();
    expect(parseLiteLLMVersion('1.81')).toBeNull();
    expect(parseLiteLLMVersion('unknown')).toBeNull();
  });
});

describe('compareVersions', () => {
  it('orders by major, then minor, then patch, numerically', () => {
    expect(compareVersions([1, 81, 0], [1, 81, 0])).toBe(0);
    expect(compareVersions([1, 80, 12], [1, 81, 0])).toBeLessThan(0);
    expect(compareVersions([1, 81, 0], [1, 80, 99])).toBeGreaterThan(0);
    expect(compareVersions([1, 81, 10], [1, 81, 9])).toBeGreaterThan(0);
    expect(compareVersions([2, 0, 0], [1, 99, 99])).toBeGreaterThan(0);
    expect(compareVersions([1, 81, 0], [1, 81, 1])).toBeLessThan(0);
  });
});

describe('versionProblem', () => {
  it('accepts the minimum itself and anything newer', () => {
    expect(versionProblem('1.81.0', '1.81.0')).toBeNull();
    expect(versionProblem('1.81.1', '1.81.0')).toBeNull();
    expect(versionProblem('1.82.0', '1.81.0')).toBeNull();
    expect(versionProblem('2.0.0', '1.81.0')).toBeNull();
  });

  it('refuses an older release in one line naming the version found and the minimum', () => {
    expect(versionProblem('1.80.12', '1.81.0')).toBe(
      'LiteLLM 1.80.12 is older than 1.81.0, the minimum this promise supports: upgrade the gateway image (config.gateway.image)',
    );
    expect(versionProblem('1.80.99', '1.81.0')).toContain('LiteLLM 1.80.99 is older than 1.81.0');
    expect(versionProblem('0.99.0', '1.81.0')).toContain('LiteLLM 0.99.0 is older than 1.81.0');
  });

  it('refuses a proxy whose version cannot be read', () => {
    expect(versionProblem(undefined, '1.81.0')).toBe('LiteLLM reported no version; this promise needs LiteLLM 1.81.0 or newer and cannot check it');
    expect(versionProblem('dev', '1.81.0')).toBe("LiteLLM reported version 'dev'; this promise needs LiteLLM 1.81.0 or newer and cannot check it");
  });

  it('defaults to the minimum the pipeline needs: 1.81.0, the first release with /key/list?status=deleted', () => {
    // BerriAI/litellm docs/my-website/release_notes/v1.81.0/index.md lists PR #19260 (status query
    // parameter for the key list); duration "-1" on /key/update came earlier, PR #18278 in v1.80.15.
    expect(MINIMUM_LITELLM_VERSION).toBe('1.81.0');
    expect(versionProblem('1.80.15')).toContain('older than 1.81.0');
    expect(versionProblem('1.81.0')).toBeNull();
  });

  it('is satisfied by the pinned gateway image', () => {
    expect(LITELLM_IMAGE).toBe('ghcr.io/berriai/litellm-non_root:main-v1.81.0-stable');
    expect(versionProblem(LITELLM_IMAGE)).toBeNull();
  });
});

describe('requireSupportedLiteLLM and VersionCheckedClient (against the emulator)', () => {
  let emu: LiteLLMEmulator;
  let client: VersionCheckedClient;
  beforeEach(async () => {
    emu = await LiteLLMEmulator.start();
    client = new VersionCheckedClient({ baseUrl: emu.url, masterKey: emu.masterKey, maxAttempts: 2 });
  });
  afterEach(async () => {
    await emu.stop();
  });
  const calls = () => emu.requests.map((r) => `${r.method} ${r.path}`);

  it('reads the version from /health/readiness/details on the pinned release', async () => {
    expect(await requireSupportedLiteLLM(client)).toBe('1.81.0');
    expect(calls()).toEqual(['GET /health/readiness/details']);
  });

  it('falls back to the public /health/readiness where the details route is missing, and refuses 1.80.12', async () => {
    emu.setRelease('1.80.12');
    await expect(requireSupportedLiteLLM(client)).rejects.toThrow(new PipelineError('LiteLLM 1.80.12 is older than 1.81.0, the minimum this promise supports: upgrade the gateway image (config.gateway.image)'));
    expect(calls()).toEqual(['GET /health/readiness/details', 'GET /health/readiness']);
  });

  it('refuses a proxy that does not report its version, and says why a health call failed', async () => {
    emu.inject({ path: '/health/readiness/details', status: 200, body: { status: 'healthy' } });
    await expect(requireSupportedLiteLLM(client)).rejects.toThrow('LiteLLM reported no version; this promise needs LiteLLM 1.81.0 or newer and cannot check it');
    emu.inject({ path: '/health/readiness/details', status: 403, body: { error: { message: 'forbidden by a proxy' } } });
    await expect(requireSupportedLiteLLM(client)).rejects.toThrow(`LiteLLM GET ${emu.url}/health/readiness/details answered 403: forbidden by a proxy`);
  });

  it('checks once, just before the first write, and never for reads', async () => {
    // GIVEN a client WHEN it only reads THEN no version check
    await client.get('/team/info', { team_id: 'x' });
    expect(calls()).toEqual(['GET /team/info']);
    // WHEN it writes twice THEN the release is checked once, before the first write
    await client.post('/team/new', { team_id: 'a' });
    await client.post('/team/new', { team_id: 'b' });
    expect(calls()).toEqual(['GET /team/info', 'GET /health/readiness/details', 'POST /team/new', 'POST /team/new']);
  });

  it('sends no write to a proxy it refused', async () => {
    emu.setRelease('1.80.12');
    await expect(client.post('/team/new', { team_id: 'a' })).rejects.toThrow('LiteLLM 1.80.12 is older than 1.81.0');
    await expect(client.post('/team/new', { team_id: 'a' })).rejects.toThrow('LiteLLM 1.80.12 is older than 1.81.0');
    expect(emu.writes()).toEqual([]);
    expect(emu.teams()).toEqual([]);
  });
});
