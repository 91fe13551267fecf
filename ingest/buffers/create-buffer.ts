import { openDiskSpool } from './disk-spool.js';
import type { EventBuffer, WhenFull } from './event-buffer.js';
import { MemoryBuffer } from './memory-buffer.js';

/** A sink's `buffer` section of the configuration. */
export interface BufferConfig {
  type?: 'disk' | 'memory';
  path?: string;
  max_bytes?: number;
  when_full?: WhenFull;
}

export const DEFAULT_BUFFER_MAX_BYTES = 1024 * 1024 * 1024;

/**
 * The buffer a sink's configuration asks for; by default a disk spool of 1 GiB that blocks when full, in `path` or
 * else in `defaultDir` (the caller's per-sink directory). A disk spool first recovers what a previous run left.
 */
export function createBuffer(
  config: BufferConfig,
  defaultDir: string,
  options: { onWarning?: (message: string) => void } = {},
): Promise<EventBuffer> {
  const maxBytes = config.max_bytes ?? DEFAULT_BUFFER_MAX_BYTES;
  const whenFull = config.when_full ?? 'block';
  if ((config.type ?? 'disk') === 'memory') return Promise.resolve(new MemoryBuffer(maxBytes, whenFull));
  return openDiskSpool({ dir: config.path ?? defaultDir, maxBytes, whenFull, ...options });
}
