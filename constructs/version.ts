/** Version of this promise: the pipeline image tag and the `kratix.io/promise-version` label. */
export const VERSION = '0.1.0';

/**
 * The pipeline image published for this version. A platform that uses this package as a library
 * runs it unchanged: its catalog travels to the pipelines in promise.yaml (`AI_PROMISE_CONFIG`).
 */
export const PIPELINE_IMAGE = `ghcr.io/kratix-ai-promise/pipeline:v${VERSION}`;
