import { describe, expect, it } from 'vitest';
import { deriveSealingFingerprintKey, deriveVirtualKey, deriveWebUIAdminPassword, deriveWebUISecretKey } from '../pipeline/keys.js';

const SALT = 'sk-salt-for-tests-0123456789abcdef';
const UID = '6b1f3c1e-0000-4000-8000-000000000001';

describe('derived keys', () => {
  it('are deterministic LiteLLM virtual keys', () => {
    const key = deriveVirtualKey(SALT, UID, 'r0');
    expect(key).toMatch(/^sk-[A-Za-z0-9_-]{43}$/);
    expect(deriveVirtualKey(SALT, UID, 'r0')).toBe(key);
  });

  it('change with the request, the epoch and the salt key', () => {
    const key = deriveVirtualKey(SALT, UID, 'r0');
    expect(deriveVirtualKey(SALT, UID, 'r1')).not.toBe(key);
    expect(deriveVirtualKey(SALT, `${UID.slice(0, -1)}2`, 'r0')).not.toBe(key);
    expect(deriveVirtualKey(`${SALT}x`, UID, 'r0')).not.toBe(key);
  });

  it('separate purposes: the UI secret is not the key', () => {
    const webui = deriveWebUISecretKey(SALT, UID);
    expect(webui).toBe(deriveWebUISecretKey(SALT, UID));
    expect(deriveVirtualKey(SALT, UID, 'r0')).not.toContain(webui);
  });

  it('give the sealed-value fingerprints their own key: fixed per salt key, unlike any other derivation', () => {
    const key = deriveSealingFingerprintKey(SALT);
    expect(key).toHaveLength(32);
    expect(deriveSealingFingerprintKey(SALT).equals(key)).toBe(true);
    expect(deriveSealingFingerprintKey(`${SALT}x`).equals(key)).toBe(false);
    expect(deriveWebUISecretKey(SALT, UID)).not.toBe(key.toString('base64url'));
    expect(deriveVirtualKey(SALT, UID, 'r0')).not.toContain(key.toString('base64url'));
  });

  it('refuse an empty salt key', () => {
    expect(() => deriveVirtualKey('', UID, 'r0')).toThrow('LITELLM_SALT_KEY is empty');
  });
});

describe('derived keys, pinned', () => {
  // Known answers, computed outside this code base from the construction the module documents
  // (RFC 5869 HKDF-SHA256; salt HMAC-SHA256('kratix-ai-promise', purpose); info the length-prefixed
  // purpose and parts joined by '|'; base64url). Every deployed key is derived this way: a change
  // here rotates every key of every request at once, so it must be deliberate.
  it('derive the virtual key of a request and epoch', () => {
    expect(deriveVirtualKey(SALT, UID, 'r0')).toBe('sk-yTuJCuazPltKxOE6cQh1KpgBzVlFtjuT-o3L-KdXnCw');
  });

  it("derive the UI's session secret of a request", () => {
    expect(deriveWebUISecretKey(SALT, UID)).toBe('u251YZQORXFAohqcU9Ew8U7XJgXgcMEJTi6eNQb5umg');
  });

  it("derive the UI's bootstrap admin password of a request: 43 characters, within bcrypt's 72 bytes", () => {
    expect(deriveWebUIAdminPassword(SALT, UID)).toBe('dUIaMrp1Uqrrk1KUvY_LKoUFR7I9SyJ2bg0SI0d4kwM');
  });

  it('derive the key of the sealed-value fingerprints of a salt key', () => {
    expect(deriveSealingFingerprintKey(SALT).toString('hex')).toBe('bc9d83a822c8724013b952dea18badf8f143adc35a43c783444835639984a892');
  });

  it('never collide when parts split differently', () => {
    expect(deriveVirtualKey(SALT, 'ab', 'c')).not.toBe(deriveVirtualKey(SALT, 'a', 'bc'));
  });
});
