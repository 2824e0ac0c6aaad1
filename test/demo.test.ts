import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { renderArtifacts } from '../main.js';
import { promiseContainerEnv } from './support/kratix-run.js';

const ROOT = new URL('../', import.meta.url).pathname;

describe('promiseContainerEnv', () => {
  it('takes the literal env of promise.yaml and leaves the secretKeyRefs to the caller', () => {
    // GIVEN the generated promise WHEN the env of the resource configure container is read
    const promise = load(renderArtifacts().get('promise.yaml')!) as any;
    const env = promiseContainerEnv(promise, 'resource', 'configure');
    // THEN every value is a string, the URL and config are there, and the credentials are not
    expect(Object.values(env).every((v) => typeof v === 'string')).toBe(true);
    expect(Object.keys(env)).toEqual(expect.arrayContaining(['LITELLM_URL', 'AI_PROMISE_CONFIG']));
    expect(Object.keys(env)).not.toContain('LITELLM_MASTER_KEY');
    expect(Object.keys(env)).not.toContain('LITELLM_SALT_KEY');
  });
});

describe('npm start (the README demo)', () => {
  it('runs the promise and the example request against the emulator, and a re-run is one read and byte-identical', () => {
    // GIVEN a scratch directory outside the working tree
    const dir = mkdtempSync(join(tmpdir(), 'demo-'));
    try {
      // WHEN the demo runs (the bundle is built by vitest's global setup)
      const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/demo.ts'], { cwd: ROOT, env: { ...process.env, AI_PROMISE_DEMO_DIR: dir }, encoding: 'utf8', timeout: 120_000 });
      // THEN it succeeds and says what the requester gets
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout).toContain('status      Ready: small tier, 2 models, key in Secret example-litellm-key');
      expect(run.stdout).toContain('re-run 1 read(s) + 0 write(s), output byte-identical');
      expect(existsSync(join(dir, 'resource', 'output', 'workload', 'team-tier.yaml'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 150_000);
});
