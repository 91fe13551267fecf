import { describe, expect, it } from 'vitest';
import { type BufferRecord, BufferWriteError } from '../../ingest/buffers/event-buffer.js';
import { MemoryBuffer } from '../../ingest/buffers/memory-buffer.js';

const utf8 = (texts: readonly string[]) => texts.map((text) => Buffer.from(text, 'utf8'));

describe('the memory buffer', () => {
  it('hands records out once, in order, within maxEvents and maxBytes, and counts them until acked', async () => {
    const buffer = new MemoryBuffer(1 << 20);
    expect(await buffer.write(utf8(['a', 'bb', 'ccc', 'é']))).toMatchObject({ written: 4, dropped: 0 });
    expect(buffer.depth()).toEqual({ events: 4, bytes: 8 });
    const first = await buffer.read(2, 1000);
    expect(first.map((r) => r.payload.toString())).toEqual(['a', 'bb']);
    const second = await buffer.read(10, 1);
    expect(second.map((r) => r.payload.toString())).toEqual(['ccc']); // always at least one
    const third = await buffer.read(10, 1000);
    expect(third).toEqual([{ seq: 3, payload: Buffer.from('é'), bytes: 2 }]);
    buffer.ack([...third, ...first]);
    expect(buffer.depth()).toEqual({ events: 1, bytes: 3 });
    expect(await buffer.read(10, 1000, AbortSignal.timeout(20))).toEqual([]);
  });

  it('drops the newest when full with drop_newest, and blocks until acked with block', async () => {
    const dropping = new MemoryBuffer(10, 'drop_newest');
    expect(await dropping.write(utf8(['12345', '12345', '1']))).toMatchObject({ written: 2, dropped: 1 });

    const blocking = new MemoryBuffer(10, 'block');
    await blocking.write(utf8(['1234567890']));
    let done = false;
    const blocked = blocking.write(utf8(['x'])).then(() => {
      done = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(done).toBe(false);
    blocking.ack(await blocking.read(1, 100));
    await blocked;
    expect(blocking.depth()).toEqual({ events: 1, bytes: 1 });
  });

  it('admits blocked writers first come, first served: a smaller later write does not overtake', async () => {
    const buffer = new MemoryBuffer(10, 'block');
    await buffer.write(utf8(['12345', '12345']));
    const order: string[] = [];
    const first = buffer.write(utf8(['1234567'])).then(() => order.push('first'));
    const later = buffer.write(utf8(['12'])).then(() => order.push('later'));
    const [oldest, next] = await buffer.read(2, 1000);
    buffer.ack([oldest as BufferRecord]); // room for the later write's 2 bytes, not the first's 7
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(order).toEqual([]);
    expect(buffer.depth().events).toBe(1);
    buffer.ack([next as BufferRecord]);
    await Promise.all([first, later]);
    expect(order).toEqual(['first', 'later']);
    expect((await buffer.read(10, 1000)).map((record) => record.payload.toString())).toEqual(['1234567', '12']);
  });

  it('fails a write blocked at close saying how many of its payloads it kept', async () => {
    const buffer = new MemoryBuffer(10, 'block');
    const write = buffer.write(utf8(['12345', '12345', '1', '2']));
    const failed = write.catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await buffer.close();
    const error = await failed;
    expect(error).toBeInstanceOf(BufferWriteError);
    expect((error as BufferWriteError).written).toBe(2);
    expect(buffer.depth().events).toBe(2);
  });

  it('resolves a pending read with [] on close', async () => {
    const buffer = new MemoryBuffer(100);
    const pending = buffer.read(1, 100);
    await buffer.close();
    expect(await pending).toEqual([]);
  });
});
