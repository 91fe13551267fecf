import { secretMatcher } from './secret.js';

const BEARER = /^Bearer +(\S+) *$/i;

/** Whether an Authorization header carries `Bearer <token>`. */
export function tokenCheck(token: string): (authorization: string | undefined) => boolean {
  const matches = secretMatcher(token);
  return (authorization) => {
    const presented = BEARER.exec(authorization ?? '')?.[1];
    return presented !== undefined && matches(presented);
  };
}
