import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kratixContext, readObject, unknownWorkflowMessage } from '../pipeline/kratix.js';

/** A /kratix-like directory with `text` as input/object.yaml, or none. */
function kratixDir(text?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'kratix-io-'));
  mkdirSync(join(dir, 'input'));
  if (text !== undefined) writeFileSync(join(dir, 'input', 'object.yaml'), text);
  return dir;
}

describe('readObject', () => {
  it('says where malformed YAML breaks, by line and column, in one sentence', () => {
    // GIVEN a request with an unclosed flow sequence on line 2
    const dir = kratixDir('spec:\n  models: [gpt-5\n  team: a\n');
    // WHEN it is read
    // THEN the message names the file, the line and column, and the reason, on one line
    expect(() => readObject(kratixContext({ KRATIX_DIR: dir }))).toThrow(
      new RegExp(`^${join(dir, 'input', 'object.yaml')} is not valid YAML at line 3, column \\d+: [^\\n]+$`),
    );
  });

  it('says what Kratix should have mounted when input/object.yaml is missing', () => {
    const dir = kratixDir();
    expect(() => readObject(kratixContext({ KRATIX_DIR: dir }))).toThrow(
      `${join(dir, 'input', 'object.yaml')} does not exist: Kratix mounts the request there for resource workflows (is KRATIX_DIR '${dir}' right?)`,
    );
  });
});

describe('unknownWorkflowMessage', () => {
  it.each([
    [{}, 'KRATIX_WORKFLOW_TYPE and KRATIX_WORKFLOW_ACTION are not set: Kratix sets them in a workflow; by hand, use promise/configure, resource/configure or resource/delete'],
    [{ KRATIX_WORKFLOW_TYPE: 'resource' }, 'KRATIX_WORKFLOW_ACTION is not set: Kratix sets them in a workflow; by hand, use promise/configure, resource/configure or resource/delete'],
    [{ KRATIX_WORKFLOW_TYPE: 'promise', KRATIX_WORKFLOW_ACTION: 'delete' }, "KRATIX_WORKFLOW_TYPE/KRATIX_WORKFLOW_ACTION 'promise/delete' is not one of promise/configure, resource/configure, resource/delete"],
  ])('explains %j without JavaScript words', (env, message) => {
    const text = unknownWorkflowMessage(kratixContext(env));
    expect(text).toBe(message);
    expect(text).not.toMatch(/undefined|'\/'/);
  });
});
