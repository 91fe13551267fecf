import { createHash, timingSafeEqual } from 'node:crypto';

const BEARER = /^Bearer +(\S+) *$/i;
// Hashing both sides makes timingSafeEqual compare 32 bytes always: neither content nor length leaks through timing.
const digest = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

/** Whether an Authorization header carries `Bearer <token>`. */
export function tokenCheck(token: string): (authorization: string | undefined) => boolean {
  const expected = digest(token);
  return (authorization) => {
    const presented = BEARER.exec(authorization ?? '')?.[1];
    return presented !== undefined && timingSafeEqual(digest(presented), expected);
  };
}
