import { describe, expect, it } from 'vitest';
import { LITELLM_IMAGE } from '../constructs/index.js';
import { MINIMUM_LITELLM_VERSION, compareVersions, parseLiteLLMVersion, versionProblem } from '../pipeline/litellm-version.js';

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
