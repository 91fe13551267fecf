/**
 * The Dead letters view's API: what the server answers and what the service injects. The console may not import
 * `ingest/` (dashboards sit above it only through the service), so the service passes a `DeadLetterAccess` built on
 * `ingest/dead-letters/` (`app/service/ingest-service.ts`).
 */

/** The letters a request means: dead-lettered in [from, to] (epoch ms), optionally one reason and one dataset. */
export interface DeadLetterSelection {
  from: number;
  to: number;
  reason?: string | undefined;
  dataset?: string | undefined;
}

/** One letter as the view shows it (every value is the sender's or the target's text: shown as text only). */
export interface DeadLetterRow {
  id: string;
  timestamp: string;
  reason: string;
  message: string;
  dataset: string | undefined;
  original: string | undefined;
  targetIndex: string | undefined;
  replays: number;
}

export interface DeadLetterCounts {
  total: number;
  byReason: { key: string; count: number }[];
  byDataset: { key: string; count: number }[];
  /** The newest letters first. */
  sample: DeadLetterRow[];
}

/** `GET /console/api/dead-letters`. */
export interface DeadLettersAnswer extends DeadLetterCounts {
  /** The dead-letter index read (`fortiems-dead-letter-<namespace>`). */
  index: string;
  /** False when the service gave no replay: the button is not shown (and the POST answers 503). */
  canReplay: boolean;
}

/** `POST /console/api/dead-letters/replay`: what the replay did (`ingest/dead-letters/replay-dead-letters.ts`). */
export interface DeadLetterReplayAnswer {
  matched: number;
  replayed: number;
  stored: number;
  stillFailing: number;
  unparsable: number;
  deleted: number;
  failures: { id: string; reason: string; message: string }[];
}

/** What the service injects (`consolePlugin`'s `deadLetters`). */
export interface DeadLetterAccess {
  index: string;
  counts(selection: DeadLetterSelection, sampleSize: number): Promise<DeadLetterCounts>;
  /** Without it, the replay route answers 503. */
  replay?: ((selection: DeadLetterSelection) => Promise<DeadLetterReplayAnswer>) | undefined;
  close?: (() => Promise<void>) | undefined;
}
