// The library build: constructs/ and imports/ compiled by tsc (TypeScript 7 emits JavaScript and
// declarations) into lib/, which package.json `exports` points at. `npm pack` runs it (prepack), so
// a packed tarball always carries compiled code: consumers need no TypeScript.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The package's own launcher: its `exports` hide bin/, so it is found next to package.json.
const tsc = join(dirname(fileURLToPath(import.meta.resolve('typescript/package.json'))), 'bin', 'tsc');
rmSync('lib', { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.lib.json'], { stdio: 'inherit' });
