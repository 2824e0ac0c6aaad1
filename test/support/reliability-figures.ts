/**
 * Sizes of the reliability tests (fuzz.test.ts, concurrency.test.ts, faults.test.ts). They are
 * shared so that docs/reliability.md, which faults.test.ts generates, states exactly what the other
 * tests run: change a figure here and both the tests and the document follow.
 */

/** Generated request objects, valid and hostile, through `parseRequest`. */
export const FUZZ_REQUEST_OBJECTS = 3000;

/** Generated `spec` objects checked for agreement between the CRD (admission) and `parseRequest`. */
export const FUZZ_AGREEMENT_SPECS = 2000;

/** Hostile YAML texts written as input/object.yaml and run through the bundled pipeline. */
export const FUZZ_YAML_TEXTS = 200;

/** Bundled pipeline runs at once while fuzzing YAML texts. */
export const FUZZ_YAML_PARALLELISM = 8;

/** Rounds of two runs of the same request started at the same moment. */
export const SAME_REQUEST_RACES = 5;

/** Different requests provisioned concurrently against one LiteLLM. */
export const CONCURRENT_REQUESTS = 200;

/** Pipeline runs at once while provisioning CONCURRENT_REQUESTS. */
export const CONCURRENT_PARALLELISM = 16;

/** LITELLM_MAX_ATTEMPTS for runs that meet a persistent fault (keeps them short). */
export const FAULT_MAX_ATTEMPTS = 3;
