// Types of scripts/bundle.mjs, for scripts/bench.ts and test/bundle.test.ts.
import type { BuildResult } from 'esbuild';

export declare const SNAPSHOT_UNSAFE_BUILTINS: readonly string[];
export declare const LAZY_PACKAGES: readonly string[];
export declare const SNAPSHOT_NODE_FLAGS: readonly string[];
export declare const deferredImportWork: import('esbuild').Plugin;
export declare const usedKubernetesClasses: import('esbuild').Plugin;
export declare function kubernetesNamesUsed(dirs?: readonly string[]): Set<string>;
export declare function pruneKubernetesClasses(source: string, roots: ReadonlySet<string>, path?: string): string;
export declare function bundleEsm(options: { entry?: string; outfile: string; minify?: boolean; lazy?: boolean; defer?: boolean; prune?: boolean }): Promise<BuildResult>;
export declare function bundleSnapshotEntry(options: { entry?: string; outfile: string }): Promise<BuildResult>;
export declare function buildBlob(options: { node?: string; entry: string; blob: string; env?: NodeJS.ProcessEnv }): void;
export declare function writeLauncher(path: string): void;
export declare function withoutNodeVariables(env: NodeJS.ProcessEnv): Record<string, string>;
