import type { CookieSerializeOptions } from '@fastify/cookie';

/**
 * Cookie names and attributes; `@fastify/cookie` parses (`request.cookies`) and writes them (`reply.setCookie`).
 * Both are HttpOnly (no script reads them), SameSite=Strict (no other site's page sends them, which is the console's
 * CSRF defence), scoped to a path, and Secure whenever the request came over TLS (or, with `http.trust_proxy`, the
 * proxy says X-Forwarded-Proto: https): `secure: 'auto'` reads `request.protocol`, which follows the proxy only then.
 */
export const SESSION_COOKIE = 'fortiems_console';
export const COOKIE_PATH = '/console';
/** The known-device cookie (login-throttle.ts): sent to the login call only, kept as long as the device is known. */
export const DEVICE_COOKIE = 'fortiems_console_device';
export const DEVICE_COOKIE_PATH = '/console/api/login';

const FLAGS = { httpOnly: true, sameSite: 'strict', secure: 'auto' } as const;

export function sessionCookieOptions(maxAgeSeconds: number): CookieSerializeOptions {
  return { ...FLAGS, path: COOKIE_PATH, maxAge: maxAgeSeconds };
}

export function deviceCookieOptions(maxAgeSeconds: number): CookieSerializeOptions {
  return { ...FLAGS, path: DEVICE_COOKIE_PATH, maxAge: maxAgeSeconds };
}
