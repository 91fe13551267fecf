import { secretMatcher } from '../../../platform/http/secret.js';

/** Checks a user name and password against the configured pair in constant time (both are always compared). */
export function credentialsChecker(adminUser: string, adminPassword: string): (user: string, password: string) => boolean {
  const userMatches = secretMatcher(adminUser);
  const passwordMatches = secretMatcher(adminPassword);
  return (user, password) => {
    const userMatched = userMatches(user);
    const passwordMatched = passwordMatches(password);
    return userMatched && passwordMatched;
  };
}
