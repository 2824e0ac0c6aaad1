import { createHash } from 'node:crypto';
import { type RotationPolicy, durationSeconds } from '../constructs/index.js';
import { PipelineError, RequestError } from './errors.js';
import type { RequestRotation } from './request.js';

/** The rotation policy in force for one request: the tier's, tightened by the request. */
export interface EffectiveRotation {
  /** Seconds one key is current; null when keys rotate only on a manual trigger. */
  readonly periodSeconds: number | null;
  /** Seconds the previous key keeps working after a rotation. */
  readonly graceSeconds: number;
  readonly trigger: number;
}

/**
 * Combines the tier's policy with the request's: a request may shorten the period and the grace,
 * never lengthen them (the platform's policy is a ceiling), and the grace stays shorter than the
 * period, so at most two keys are ever live.
 */
export function effectiveRotation(tier: RotationPolicy | undefined, request: RequestRotation): EffectiveRotation {
  const check = (field: 'period' | 'grace'): number | null => {
    const ceiling = tier ? durationSeconds(`tier rotation.${field}`, tier[field]) : null;
    const asked = request[field];
    if (asked === undefined) return ceiling;
    const seconds = durationSeconds(`spec.rotation.${field}`, asked);
    if (ceiling !== null && seconds > ceiling) {
      throw new RequestError(`spec.rotation.${field} '${asked}' is longer than the tier's ${tier![field]}: a request may only shorten it`);
    }
    return seconds;
  };
  const periodSeconds = check('period');
  const graceSeconds = check('grace') ?? 0;
  if (periodSeconds !== null && graceSeconds >= periodSeconds) {
    throw new RequestError(`spec.rotation.grace (${graceSeconds}s) must be shorter than the rotation period (${periodSeconds}s)`);
  }
  return { periodSeconds, graceSeconds, trigger: request.trigger };
}

/** The key epoch a request is in at one instant. */
export interface KeyEpoch {
  /** Identity of the epoch: part of the key's alias and of its derivation. */
  readonly id: string;
  /** Scheduled rotations since the Unix epoch (0 without a period). */
  readonly index: number;
  /** When this epoch's key is replaced; null without a period. */
  readonly rotatesAt: Date | null;
}

/**
 * The epoch of a request at `now`. Without a period it changes only with the trigger. With one, it
 * is the number of whole periods since a per-request offset, so the key stays the same (and the
 * output byte-identical) between rotations, and requests rotate at different moments instead of all
 * at once. The period is part of the id, so a policy change can never bring back an earlier key.
 */
export function keyEpoch(rotation: EffectiveRotation, requestUid: string, now: Date): KeyEpoch {
  if (rotation.periodSeconds === null) return { id: `r${rotation.trigger}`, index: 0, rotatesAt: null };
  const period = rotation.periodSeconds;
  const offset = createHash('sha256').update(requestUid).digest().readUIntBE(0, 6) % period;
  const seconds = Math.floor(now.getTime() / 1000);
  const index = Math.floor((seconds + offset) / period);
  return {
    id: `r${rotation.trigger}-p${period}-e${index}`,
    index,
    rotatesAt: new Date(((index + 1) * period - offset) * 1000),
  };
}

/** `AI_PROMISE_NOW` (ISO 8601) pins the clock, for tests and for replaying a run; else the real time. */
export function clock(env: NodeJS.ProcessEnv): Date {
  const pinned = env.AI_PROMISE_NOW;
  if (pinned === undefined || pinned === '') return new Date();
  const date = new Date(pinned);
  if (Number.isNaN(date.getTime())) throw new PipelineError(`AI_PROMISE_NOW '${pinned.slice(0, 40)}' is not an ISO 8601 date`);
  return date;
}
