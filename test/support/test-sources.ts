import { readdirSync } from 'node:fs';

/** The test/ folder. */
export const TEST_DIR = new URL('../', import.meta.url);

/** Every .ts file under test/ (snapshots excluded), relative to it: what guard tests scan. */
export function testSources(dir = TEST_DIR, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isDirectory()) return entry.name === '__snapshots__' ? [] : testSources(new URL(`${entry.name}/`, dir), `${prefix}${entry.name}/`);
    return entry.name.endsWith('.ts') ? [`${prefix}${entry.name}`] : [];
  });
}
