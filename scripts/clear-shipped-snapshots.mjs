// Part of `npm run synth`: empties test/__snapshots__/shipped-catalog/, the snapshots of what the
// shipped catalog produces (one per tier). The next `npm test` writes them for the catalog as it is
// now, so the PR shows them as a diff to review and a removed tier leaves no stale snapshot. Under
// CI=true vitest never writes snapshots: a missing or changed one fails there.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';

const dir = new URL('../test/__snapshots__/shipped-catalog/', import.meta.url);
mkdirSync(dir, { recursive: true });
for (const file of readdirSync(dir)) rmSync(new URL(file, dir));
