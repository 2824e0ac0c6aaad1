/**
 * The seed of every property test (fast-check), set for the whole run by vitest's setupFiles.
 *
 * - `FC_SEED=<n>` replays a run: the seed a failure printed reproduces its inputs.
 * - Under CI (`CI` set) the seed is fixed, so a red build is reproducible and a green one is not luck.
 * - Locally it is random, so each run tries new inputs.
 *
 * fast-check puts the seed (and the path to the counterexample) in every failure message; the
 * generated-YAML test, which samples rather than asserts, puts it in each problem it reports.
 */
import fc from 'fast-check';

/** The seed CI runs with. Changing it is fine; it only has to stay the same between CI runs. */
const CI_SEED = 20_261_201;

function seedFrom(env: NodeJS.ProcessEnv): number {
  const replay = env.FC_SEED;
  if (replay !== undefined && replay !== '') {
    const seed = Number(replay);
    if (!Number.isInteger(seed)) throw new Error(`FC_SEED '${replay}' is not an integer`);
    return seed;
  }
  if (env.CI) return CI_SEED;
  return (Date.now() ^ Math.floor(Math.random() * 2 ** 31)) | 0;
}

export const PROPERTY_SEED = seedFrom(process.env);

fc.configureGlobal({ seed: PROPERTY_SEED });
