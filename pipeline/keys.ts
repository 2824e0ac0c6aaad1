import { createHmac, hkdfSync } from 'node:crypto';

/**
 * Secrets the pipeline needs are derived, not stored: HKDF-SHA256 keyed by LITELLM_SALT_KEY, with a
 * purpose label, over the request's uid (and the rotation epoch for keys). Re-runs compute the same
 * values without reading anything back, so their output is byte-identical; a new request (new uid)
 * never inherits an old request's key, even under the same name.
 */
function derive(saltKey: string, purpose: string, ...parts: string[]): Buffer {
  if (saltKey.length === 0) throw new Error('LITELLM_SALT_KEY is empty');
  // Length-prefix every part so that ('ab','c') and ('a','bc') never collide.
  const info = [purpose, ...parts].map((p) => `${Buffer.byteLength(p)}:${p}`).join('|');
  const salt = createHmac('sha256', 'kratix-ai-promise').update(purpose).digest();
  return Buffer.from(hkdfSync('sha256', saltKey, salt, info, 32));
}

/** The request's LiteLLM virtual key for one rotation epoch: `sk-` + 43 base64url characters. */
export function deriveVirtualKey(saltKey: string, requestUid: string, epoch: string): string {
  return `sk-${derive(saltKey, 'ai-promise/virtual-key/v1', requestUid, epoch).toString('base64url')}`;
}

/** Open WebUI's session-signing secret for a request: stable for the request's whole life. */
export function deriveWebUISecretKey(saltKey: string, requestUid: string): string {
  return derive(saltKey, 'ai-promise/webui-secret-key/v1', requestUid).toString('base64url');
}

/**
 * Key of the fingerprints that let a run reuse the previous run's sealed values
 * (pipeline/sealing.ts): keyed, so the fingerprints in status reveal nothing about the values.
 */
export function deriveSealingFingerprintKey(saltKey: string): Buffer {
  return derive(saltKey, 'ai-promise/sealed-fingerprint/v1');
}

/** Password of the bootstrap admin of a request's Open WebUI (closed sign-up): stable for the request's life. */
export function deriveWebUIAdminPassword(saltKey: string, requestUid: string): string {
  return derive(saltKey, 'ai-promise/webui-admin-password/v1', requestUid).toString('base64url');
}
