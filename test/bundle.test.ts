import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { deferredImportWork } from '../scripts/bundle.mjs';

const root = new URL('../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'bundle-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Bundles `source` (resolved from the project root, so it finds our dependencies) and runs it with node; returns its stdout. */
async function bundleAndRun(source: string, plugins: unknown[]): Promise<string> {
  const outfile = join(dir, `out-${plugins.length}.mjs`);
  writeFileSync(join(dir, 'list-format-counter.mjs'), COUNTER);
  await build({
    stdin: { contents: source.replace("'./list-format-counter.mjs'", JSON.stringify(join(dir, 'list-format-counter.mjs'))), resolveDir: root, sourcefile: 'probe.mjs' },
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
    plugins: plugins as never,
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  const run = spawnSync(process.execPath, [outfile], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
  expect(run.stderr).toBe('');
  return run.stdout;
}

// Probe: whether importing got evaluated http2-wrapper (which loads node:http2 and creates a
// tls.TLSSocket, parsing the bundled root certificates) and how many Intl.ListFormat (ICU) it
// created; then that @sindresorhus/is still words its multi-value TypeError.
const COUNTER = `
const Real = Intl.ListFormat;
globalThis.listFormats = 0;
Intl.ListFormat = class extends Real { constructor(...args) { super(...args); globalThis.listFormats++; } };
`;
const PROBE = `
import './list-format-counter.mjs';
import got from 'got';
import is, { assert } from '@sindresorhus/is';
const atImport = { http2: process.moduleLoadList.includes('NativeModule http2'), listFormats: globalThis.listFormats };
let message = '';
try { assert.all(is.string, 1, 'a', 2n); } catch (error) { message = error.message; }
console.log(JSON.stringify({ got: typeof got.extend, atImport, message }));
`;

describe('deferredImportWork (scripts/bundle.mjs)', () => {
  it("keeps got's import from evaluating http2-wrapper or creating Intl.ListFormat, and is's messages unchanged", async () => {
    // GIVEN the same probe bundled as is and with the plugin
    const plain = JSON.parse(await bundleAndRun(PROBE, []));
    const deferred = JSON.parse(await bundleAndRun(PROBE, [deferredImportWork]));
    // THEN without it, importing got loads node:http2 and creates two ListFormats (what the plugin removes)
    expect(plain.atImport).toEqual({ http2: true, listFormats: 2 });
    // AND with it, got is there but neither happened
    expect(deferred.got).toBe('function');
    expect(deferred.atImport).toEqual({ http2: false, listFormats: 0 });
    // AND the deferred Intl.ListFormat words the multi-value TypeError exactly as before
    expect(deferred.message).toMatch(/^Expected values which are/);
    expect(deferred.message).toBe(plain.message);
  }, 60_000);
});
