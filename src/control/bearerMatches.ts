import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * True when an `Authorization` header is `Bearer <token>` with exactly `token`. The comparison takes
 * the same time whatever the header holds: both sides are hashed to 32 bytes (so their lengths
 * tell nothing) and compared with `crypto.timingSafeEqual`.
 *
 * @example
 * bearerMatches(req.headers.authorization, token); // false for a missing header, another scheme or another token
 */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer +(\S+) *$/i.exec(header ?? '');
  const given = createHash('sha256').update(m?.[1] ?? '').digest();
  const expected = createHash('sha256').update(token).digest();
  return timingSafeEqual(given, expected) && m !== null;
}
