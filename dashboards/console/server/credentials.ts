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

/** Whether a typed user name is the configured admin's, in constant time (the account throttle only tracks that one). */
export function userChecker(adminUser: string): (user: string) => boolean {
  return secretMatcher(adminUser);
}
