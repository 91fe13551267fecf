/** FIFO of framed messages. Array.shift() is O(n); a head index keeps a deep queue O(1) per message. */
export class ChunkQueue {
  private items: Buffer[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(chunk: Buffer): void {
    this.items.push(chunk);
  }

  shift(): Buffer | undefined {
    if (this.head >= this.items.length) return undefined;
    const chunk = this.items[this.head];
    this.head += 1;
    // Compact once the consumed prefix dominates, so memory follows the live length.
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return chunk;
  }

  /** Puts chunks back in front, in their order (messages a lost connection never confirmed go out first on the next one). */
  unshiftAll(chunks: readonly Buffer[]): void {
    if (chunks.length === 0) return;
    this.items = [...chunks, ...this.items.slice(this.head)];
    this.head = 0;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }
}
