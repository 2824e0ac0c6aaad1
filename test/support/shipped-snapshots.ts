import type { Catalog } from '../../constructs/index.js';

/**
 * Snapshots of what the shipped catalog produces live in their own folder. `npm run synth` empties
 * it (scripts/clear-shipped-snapshots.mjs) and `npm test` writes it again, so a catalog change
 * reaches the PR as a diff of these files, and a removed tier leaves no stale file behind.
 */
export const SHIPPED_SNAPSHOT_DIR = '__snapshots__/shipped-catalog';

/** The snapshot file of one tier's request outputs, with or without Open WebUI. */
export function tierSnapshotFile(tier: string, ui: boolean): string {
  return `resource-${tier}${ui ? '-ui' : ''}.yaml`;
}

/** Every file test/shipped-catalog.test.ts writes for a catalog: one pair per tier, whatever the tiers are. */
export function shippedSnapshotFiles(catalog: Catalog): string[] {
  return ['promise-outputs.yaml', ...catalog.tierNames.flatMap((tier) => [tierSnapshotFile(tier, false), tierSnapshotFile(tier, true)])].sort();
}
