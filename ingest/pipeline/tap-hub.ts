/**
 * Tap points (`fortiems tap`, after Vector's tap): a live copy of what leaves a component, for a person watching, never
 * in the pipeline's way. The pipeline calls the hub behind one `active` check, so with nobody tapping a batch costs one
 * branch. A subscriber has a small bounded queue of serialized records; when it is full, the tap drops and counts
 * (`onDropped`), the pipeline never waits: nothing here is awaited on the hot path, and nothing pushes back.
 */
import type { ParsedEvent } from '../../parsers/parse-line.js';
import { compileQuery, type DocumentPredicate } from '../forward/filter-query.js';
import type { RawLine } from './raw-line.js';

export type TapKind = 'source' | 'transform' | 'sink';

/** The parse → enrich stage's component id, as its telemetry names it. */
export const PARSE_COMPONENT = 'parse';

export const DEFAULT_TAP_CAPACITY = 1000;
/** A queue of 1,000 records of 64 KiB lines would hold 64 MiB: the bytes bound keeps each subscriber small. */
export const DEFAULT_TAP_BYTES = 4 * 1024 * 1024;

export interface TapOptions {
  /** The forward filter's query language (`ingest/forward/filter-query.ts`), evaluated in the tap. */
  filter?: string | undefined;
  capacity?: number;
  capacityBytes?: number;
}

/** One reader's view of one component: records wait here (bounded) until the reader takes them. */
export class TapSubscription {
  private queue: string[] = [];
  private bytes = 0;
  private wake: (() => void) | undefined;
  private closed = false;
  /** Records this subscriber did not get because its queue was full. */
  dropped = 0;
  readonly capacity: number;
  readonly capacityBytes: number;

  constructor(
    readonly componentId: string,
    readonly kind: TapKind,
    private readonly predicate: DocumentPredicate | undefined,
    options: TapOptions,
    private readonly onDrop: (subscription: TapSubscription, count: number) => void,
    private readonly onClose: (subscription: TapSubscription) => void,
  ) {
    this.capacity = options.capacity ?? DEFAULT_TAP_CAPACITY;
    this.capacityBytes = options.capacityBytes ?? DEFAULT_TAP_BYTES;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Records it can still take (0 when full or closed). */
  room(): number {
    if (this.closed || this.bytes >= this.capacityBytes) return 0;
    return this.capacity - this.queue.length;
  }

  get queued(): number {
    return this.queue.length;
  }

  /** `count` records passed while the queue was full: counted, not evaluated (a full tap costs no filter, no JSON). */
  drop(count: number): void {
    if (count <= 0 || this.closed) return;
    this.dropped += count;
    this.onDrop(this, count);
  }

  /** One record: filtered, serialized (a snapshot: the event goes on and may change), queued or dropped. */
  offer(document: Record<string, unknown>, build: (document: Record<string, unknown>) => Record<string, unknown>): void {
    if (this.room() <= 0) {
      this.drop(1);
      return;
    }
    if (this.predicate && !this.predicate(document)) return;
    const record = JSON.stringify(build(document));
    this.queue.push(record);
    this.bytes += record.length;
    this.notify();
  }

  /** Everything queued, oldest first; the queue is empty afterwards. */
  take(): string[] {
    const records = this.queue;
    this.queue = [];
    this.bytes = 0;
    return records;
  }

  /** Resolves once a record is queued or the subscription is closed. */
  ready(): Promise<void> {
    if (this.queue.length > 0 || this.closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.wake = resolve;
    });
  }

  /** Ends the subscription and frees its queue; the hub forgets it. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue = [];
    this.bytes = 0;
    this.onClose(this);
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

function iso(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? String(ms) : date.toISOString();
}

/** A source's raw line as a tap shows it and a filter reads it. */
function rawDocument(raw: RawLine): Record<string, unknown> {
  return {
    message: raw.line,
    received_at: iso(raw.receivedAt),
    ...(raw.id !== undefined ? { event_id: raw.id } : {}),
    ...(raw.framingError !== undefined ? { framing_error: raw.framingError } : {}),
  };
}

export class TapHub {
  /** The hot path's one branch: false while nobody taps anything. */
  active = false;
  private readonly byComponent = new Map<string, Set<TapSubscription>>();

  /** `onDropped(componentId, count)`: the tap's drop counter (`fortiems_tap_dropped_events_total`). */
  constructor(private readonly onDropped: (componentId: string, count: number) => void = () => undefined) {}

  /** Throws on a filter that does not compile (the caller answers 400 with its message). */
  subscribe(componentId: string, kind: TapKind, options: TapOptions = {}): TapSubscription {
    const predicate = options.filter ? compileQuery(options.filter) : undefined;
    const subscription = new TapSubscription(
      componentId,
      kind,
      predicate,
      options,
      (sub, count) => this.onDropped(sub.componentId, count),
      (sub) => this.forget(sub),
    );
    let set = this.byComponent.get(componentId);
    if (!set) {
      set = new Set();
      this.byComponent.set(componentId, set);
    }
    set.add(subscription);
    this.active = true;
    return subscription;
  }

  /** Subscribers now (tests; the route's limit on concurrent taps). */
  get subscribers(): number {
    let count = 0;
    for (const set of this.byComponent.values()) count += set.size;
    return count;
  }

  /** Ends every subscription (a stop, an HTTP server closing). */
  closeAll(): void {
    for (const set of [...this.byComponent.values()]) for (const subscription of [...set]) subscription.close();
  }

  /** The most records any subscriber of these components can take now (0: none can, or nobody taps them). */
  room(componentIds: readonly string[]): number {
    let most = 0;
    for (const id of componentIds) {
      const set = this.byComponent.get(id);
      if (set) for (const subscription of set) most = Math.max(most, subscription.room());
    }
    return most;
  }

  /** Whether anybody taps one of these components. */
  taps(componentIds: readonly string[]): boolean {
    for (const id of componentIds) if (this.byComponent.has(id)) return true;
    return false;
  }

  /** Source taps: the raw lines as each source handed them to the pipeline (each line names its source). */
  lines(lines: readonly RawLine[]): void {
    for (const raw of lines) {
      const set = this.byComponent.get(raw.sourceId);
      if (!set) continue;
      const document = rawDocument(raw);
      for (const subscription of set)
        subscription.offer(document, (event) => ({ component_id: raw.sourceId, component_kind: 'source', event }));
    }
  }

  /**
   * The parse stage's output and each sink's input (the route is a fan-out, so every sink takes every event; a sink's
   * own filter applies after its tap). `skipped` events of the batch were not parsed for the tap (the tap had no room
   * for them): they count as dropped for each subscriber.
   */
  events(events: readonly ParsedEvent[], sinkIds: readonly string[], skipped = 0): void {
    this.eventsFor(PARSE_COMPONENT, 'transform', events, skipped);
    for (const id of sinkIds) this.eventsFor(id, 'sink', events, skipped);
  }

  private eventsFor(componentId: string, kind: TapKind, events: readonly ParsedEvent[], skipped: number): void {
    const set = this.byComponent.get(componentId);
    if (!set) return;
    const build = (event: Record<string, unknown>) => ({ component_id: componentId, component_kind: kind, event });
    for (const subscription of set) {
      for (let i = 0; i < events.length; i++) {
        if (subscription.room() <= 0) {
          subscription.drop(events.length - i);
          break;
        }
        subscription.offer((events[i] as ParsedEvent).document, build);
      }
      subscription.drop(skipped);
    }
  }

  private forget(subscription: TapSubscription): void {
    const set = this.byComponent.get(subscription.componentId);
    if (!set) return;
    set.delete(subscription);
    if (set.size === 0) this.byComponent.delete(subscription.componentId);
    this.active = this.byComponent.size > 0;
  }
}
