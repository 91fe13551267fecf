import { createHash, timingSafeEqual } from 'node:crypto';

// Hash first, so timingSafeEqual always compares 32 bytes: neither a secret's content nor its length leaks through
// how long a wrong guess takes.
const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** Checks a user name and password against the configured pair in constant time (both are always compared). */
export function credentialsChecker(adminUser: string, adminPassword: string): (user: string, password: string) => boolean {
  const expectedUser = digest(adminUser);
  const expectedPassword = digest(adminPassword);
  return (user, password) => {
    const userMatches = timingSafeEqual(digest(user), expectedUser);
    const passwordMatches = timingSafeEqual(digest(password), expectedPassword);
    return userMatches && passwordMatches;
  };
}

/** Whether a typed user name is the configured admin's, in constant time (the account throttle only tracks that one). */
export function userChecker(adminUser: string): (user: string) => boolean {
  const expectedUser = digest(adminUser);
  return (user) => timingSafeEqual(digest(user), expectedUser);
}
