import { randomBytes } from 'node:crypto';

export interface Session {
  id: string;
  user: string;
  expiresAt: number;
}

/** 32 random bytes, base64url: the only form a session id can take (anything else is not looked up). */
export const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

/**
 * Sessions in memory: lost on restart (users log in again), bounded (the oldest is evicted when full, so a login
 * flood cannot grow the process), with a fixed lifetime from login.
 */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly options: { ttlMs: number; max: number; now: () => number }) {}

  create(user: string): Session {
    this.sweep();
    // Map iteration follows insertion, which is creation order: the first key is the oldest session.
    while (this.sessions.size >= this.options.max) {
      const oldest = this.sessions.keys().next().value;
      if (oldest === undefined) break;
      this.sessions.delete(oldest);
    }
    const session = { id: randomBytes(32).toString('base64url'), user, expiresAt: this.options.now() + this.options.ttlMs };
    this.sessions.set(session.id, session);
    return session;
  }

  /** The live session with this id; an expired one is forgotten on the way. */
  get(id: string | undefined): Session | undefined {
    if (id === undefined || !SESSION_ID.test(id)) return undefined;
    const session = this.sessions.get(id);
    if (!session) return undefined;
    if (session.expiresAt <= this.options.now()) {
      this.sessions.delete(id);
      return undefined;
    }
    return session;
  }

  delete(id: string | undefined): void {
    if (id !== undefined) this.sessions.delete(id);
  }

  get size(): number {
    return this.sessions.size;
  }

  private sweep(): void {
    const now = this.options.now();
    for (const [id, session] of this.sessions) if (session.expiresAt <= now) this.sessions.delete(id);
  }
}
