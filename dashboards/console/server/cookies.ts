export const SESSION_COOKIE = 'fortiems_console';
export const COOKIE_PATH = '/console';
export const DEVICE_COOKIE = 'fortiems_console_device';
export const DEVICE_COOKIE_PATH = '/console/api/login';

/** The value of one cookie from a `Cookie` header, or undefined. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const separator = part.indexOf('=');
    if (separator > 0 && part.slice(0, separator).trim() === name) return part.slice(separator + 1).trim();
  }
  return undefined;
}

/**
 * The session cookie: HttpOnly (no script reads it), SameSite=Strict (no other site's page sends it, which is the
 * console's CSRF defence), scoped to the console's path, Secure whenever the request came over TLS (or, with
 * `http.trust_proxy`, the proxy says X-Forwarded-Proto: https).
 */
export function sessionCookie(id: string, maxAgeSeconds: number, secure: boolean): string {
  const attributes = [`${SESSION_COOKIE}=${id}`, `Path=${COOKIE_PATH}`, 'HttpOnly', 'SameSite=Strict', `Max-Age=${maxAgeSeconds}`];
  if (secure) attributes.push('Secure');
  return attributes.join('; ');
}

/** The known-device cookie (login-throttle.ts): sent to the login call only, kept as long as the device is known. */
export function deviceCookie(id: string, maxAgeSeconds: number, secure: boolean): string {
  const attributes = [`${DEVICE_COOKIE}=${id}`, `Path=${DEVICE_COOKIE_PATH}`, 'HttpOnly', 'SameSite=Strict', `Max-Age=${maxAgeSeconds}`];
  if (secure) attributes.push('Secure');
  return attributes.join('; ');
}

export function clearedSessionCookie(secure: boolean): string {
  return sessionCookie('', 0, secure);
}
