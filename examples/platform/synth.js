// `npm run synth`: writes promise.yaml and the editor schema; an invalid entry is one line, exit 1.
import { writeFileSync } from 'node:fs';
import { renderPromise } from './promise.js';

try {
  for (const [path, content] of renderPromise()) writeFileSync(new URL(path, import.meta.url), content);
} catch (error) {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
