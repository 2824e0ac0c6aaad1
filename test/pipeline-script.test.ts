import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runByHand } from '../scripts/pipeline.js';
import { LiteLLMEmulator } from './support/litellm-emulator.js';

/** `npm run pipeline`: one resource pipeline by hand, for a request file (README "Run one pipeline by hand"). */

const scratch = mkdtempSync(join(tmpdir(), 'by-hand-'));
const requestFile = join(scratch, 'request.yaml');
// As a user writes it: no uid, no namespace.
writeFileSync(requestFile, 'apiVersion: marketplace.kratix.io/v1alpha1\nkind: ai\nmetadata:\n  name: debug\nspec:\n  team: research\n  models: [gpt-5]\n');

async function byHand(options: Parameters<typeof runByHand>[0]) {
  const lines: string[] = [];
  const code = await runByHand(options, (line) => lines.push(line));
  return { code, text: lines.join('\n') };
}

describe('npm run pipeline', () => {
  it('configure against the emulator prints the LiteLLM writes, the objects written and the status, with keys masked', async () => {
    const { code, text } = await byHand({ action: 'configure', requestFile, dir: join(scratch, 'configure') });
    expect(code).toBe(0);
    expect(text).toMatch(/POST \/team\/new -> 200 .*"team_id":"ai\.default\.debug"/);
    expect(text).toContain('POST /key/generate -> 200');
    expect(text).toContain('output/workload/team-tier.yaml: Secret default/debug-litellm-key');
    expect(text).toContain("message: 'Ready: ");
    expect(text).not.toMatch(/sk-(?!\*\*\*)[A-Za-z0-9]/);
  });

  it('delete against the emulator configures first, then shows what the delete removed', async () => {
    const { code, text } = await byHand({ action: 'delete', requestFile, dir: join(scratch, 'delete') });
    expect(code).toBe(0);
    expect(text).toContain('setup: configure first');
    expect(text).toContain('POST /key/delete -> 200');
    expect(text).toContain('POST /team/delete -> 200');
    expect(text).not.toContain('/team/new');
  });

  it('runs against a LiteLLM given by URL with the keys from the environment, and says when they are missing', async () => {
    const emulator = await LiteLLMEmulator.start();
    try {
      const url = emulator.url;
      await expect(byHand({ action: 'configure', requestFile, litellmUrl: url, env: {} })).rejects.toThrow(
        'LITELLM_MASTER_KEY and LITELLM_SALT_KEY must be set to call the LiteLLM given with --litellm',
      );
      const env = { LITELLM_MASTER_KEY: emulator.masterKey, LITELLM_SALT_KEY: 'sk-salt-for-the-by-hand-test-0123456789' };
      const { code, text } = await byHand({ action: 'configure', requestFile, litellmUrl: url, env, dir: join(scratch, 'url') });
      expect(code).toBe(0);
      expect(text).toContain(`LiteLLM at ${url}`);
      expect(emulator.teams().map((t) => t.team_id)).toEqual(['ai.default.debug']);
    } finally {
      await emulator.stop();
    }
  });
});
