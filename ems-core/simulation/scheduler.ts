/**
 * The discrete-event core: actions scheduled at virtual instants, run in time order (ties in scheduling order,
 * so runs are deterministic). Whether virtual time follows the wall clock is the runner's business, not this.
 */
export type Action = () => void;

interface Entry {
  at: number;
  seq: number;
  action: Action;
}

export class Scheduler {
  private heap: Entry[] = [];
  private seq = 0;
  /** Virtual now, in epoch milliseconds. */
  now: number;

  constructor(start: number) {
    this.now = start;
  }

  at(time: number, action: Action): void {
    this.push({ at: Math.max(time, this.now), seq: this.seq++, action });
  }

  after(delayMs: number, action: Action): void {
    this.at(this.now + delayMs, action);
  }

  /** Moves virtual time forward without running anything (real-time mode: what happens between actions is stamped now). */
  advanceTo(time: number): void {
    const next = this.peek();
    this.now = Math.max(this.now, next === undefined ? time : Math.min(time, next));
  }

  /** The instant of the next action, or undefined when nothing is scheduled. */
  peek(): number | undefined {
    return this.heap[0]?.at;
  }

  /** Advances virtual time to the next action and runs it; false when nothing is left. */
  step(): boolean {
    const entry = this.pop();
    if (!entry) return false;
    this.now = entry.at;
    entry.action();
    return true;
  }

  get size(): number {
    return this.heap.length;
  }

  private less(a: Entry, b: Entry): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(entry: Entry): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(heap[i] as Entry, heap[parent] as Entry)) break;
      [heap[i], heap[parent]] = [heap[parent] as Entry, heap[i] as Entry];
      i = parent;
    }
  }

  private pop(): Entry | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < heap.length && this.less(heap[left] as Entry, heap[smallest] as Entry)) smallest = left;
        if (right < heap.length && this.less(heap[right] as Entry, heap[smallest] as Entry)) smallest = right;
        if (smallest === i) break;
        [heap[i], heap[smallest]] = [heap[smallest] as Entry, heap[i] as Entry];
        i = smallest;
      }
    }
    return top;
  }
}

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
