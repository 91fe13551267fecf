import { createHash, timingSafeEqual } from 'node:crypto';

// Both sides are hashed first, so timingSafeEqual always compares 32 bytes: neither a secret's content nor its
// length leaks through how long a wrong guess takes.
const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** A constant-time check of presented text against one configured secret (tokens, user names, passwords). */
export function secretMatcher(secret: string): (presented: string) => boolean {
  const expected = digest(secret);
  return (presented) => timingSafeEqual(digest(presented), expected);
}
