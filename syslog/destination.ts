/** Counters every destination keeps: nothing it refuses or loses goes uncounted. */
export interface DestinationStats {
  /** Messages the transport accepted (the socket, datagram or file write completed). */
  sent: number;
  /** Messages given up on: queue full, too large for a datagram, written after close, or still queued when close timed out. */
  dropped: number;
  /** Connections re-established after the first one (TCP, TLS, file reopen). */
  reconnects: number;
}

/** Where formatted syslog messages go. `write` takes one message without framing; the destination frames it. */
export interface Destination {
  readonly url: string;
  write(message: string): void | Promise<void>;
  /** Resolves when everything written so far has been handed to the operating system. */
  flush(): Promise<void>;
  /** Flushes (bounded by the close timeout; what remains is counted dropped), then releases the socket or file. */
  close(): Promise<void>;
  stats(): DestinationStats;
}

export interface DestinationOptions {
  /** Messages held while disconnected or while the receiver is slow; beyond it they are dropped (and counted). Default 10,000. */
  maxQueuedMessages?: number;
  /** How long close() waits for the queue to drain. Default 10 s. */
  closeTimeoutMs?: number;
  /** TCP/TLS connect timeout. Default 10 s. */
  connectTimeoutMs?: number;
  /** Reconnect backoff: first delay and ceiling. Default 100 ms and 30 s. */
  reconnectDelayMs?: { initial: number; max: number };
  /** Told about connection, TLS and write errors (the destination keeps retrying regardless). */
  onError?: (error: Error) => void;
  /** The stream `-` writes to; process.stdout unless a test supplies another. */
  stdout?: NodeJS.WritableStream;
}
