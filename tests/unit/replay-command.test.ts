import { spawn } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer, type IncomingHttpHeaders } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { startProgress } from '../../app/cli/progress.js';
import { FrameDecoder, isFramingError } from '../../parsers/framing.js';

const cli = new URL('../../bin/fortiems.js', import.meta.url).pathname;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function replay(args: string[], stdinFile?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'replay', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
    });
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr += text;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    if (stdinFile) createReadStream(stdinFile).pipe(child.stdin);
    else child.stdin.end();
  });
}

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A log file: syslog lines with non-ASCII, quotes and a JSON-looking body, CRLF on some, and one blank line. */
function logFile(count: number): { path: string; lines: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'fortiems-replay-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const lines = Array.from({ length: count }, (_, i) =>
    i % 97 === 5 ? `{"message":"json-looking ${i}"}` : `<134>Nov 23 10:00:00 ems01 ems-event: seq=${i} user="ünï \\"q\\"" msg="line ${i}"`,
  );
  const text = lines.map((line, i) => `${line}${i % 3 === 0 ? '\r\n' : '\n'}${i === 10 ? '\n' : ''}`).join('');
  const path = join(dir, 'ems.log');
  writeFileSync(path, text);
  return { path, lines };
}

/** A syslog receiver over TCP that decodes both framings, like the pipeline's own source does. */
async function tcpReceiver(): Promise<{ port: number; messages: string[]; connections: () => number }> {
  const messages: string[] = [];
  let connections = 0;
  const server: TcpServer = createTcpServer((socket) => {
    connections += 1;
    const decoder = new FrameDecoder();
    const take = (events: ReturnType<FrameDecoder['push']>) => {
      for (const event of events) messages.push(isFramingError(event) ? `FRAMING ERROR ${event.error}` : event.message);
    };
    socket.on('data', (chunk: Buffer) => take(decoder.push(chunk)));
    socket.on('end', () => {
      const rest = decoder.end();
      if (rest) take([rest]);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address();
  return { port: typeof address === 'object' && address ? address.port : 0, messages, connections: () => connections };
}

interface Posted {
  headers: IncomingHttpHeaders;
  lines: string[];
}

/** An HTTP receiver speaking the HTTP source's protocol; `answer` may refuse a request (it then counts nothing). */
async function httpReceiver(answer: (index: number) => { status: number; headers?: Record<string, string> } = () => ({ status: 200 })) {
  const posted: Posted[] = [];
  let requests = 0;
  const server: HttpServer = createHttpServer((request, response) => {
    const index = requests++;
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (text: string) => {
      body += text;
    });
    request.on('end', () => {
      const { status, headers = {} } = answer(index);
      const lines = body
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as string);
      if (status === 200) posted.push({ headers: request.headers, lines });
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(JSON.stringify(status === 200 ? { accepted: lines.length } : { error: 'refused', message: 'try later', accepted: 0 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, posted, requests: () => requests };
}

describe('fortiems replay to syslog destinations', () => {
  it('FILE to tcp:// (octet counting): every line arrives once, in order, blank lines skipped', async () => {
    const { path, lines } = logFile(20_000);
    const receiver = await tcpReceiver();
    const run = await replay([path, '--to', `tcp://127.0.0.1:${receiver.port}`]);
    expect(run.stderr).toMatch(
      /replay: 20,000 lines \(.+\) to tcp:\/\/127\.0\.0\.1:\d+ in [\d.]+ s, [\d,]+ lines\/s; 1 blank lines skipped/,
    );
    expect(run.code).toBe(0);
    await until(() => receiver.messages.length >= lines.length);
    expect(receiver.messages).toEqual(lines);
    expect(receiver.connections()).toBe(1);
  });

  it('- (stdin) to tcp:// with newline framing', async () => {
    const { path, lines } = logFile(5000);
    const receiver = await tcpReceiver();
    const run = await replay(['-', '--to', `tcp://127.0.0.1:${receiver.port}?framing=newline`], path);
    expect(run.code).toBe(0);
    await until(() => receiver.messages.length >= lines.length);
    expect(receiver.messages).toEqual(lines);
  });

  it('--rate paces the lines', async () => {
    const { path, lines } = logFile(300);
    const receiver = await tcpReceiver();
    const started = Date.now();
    const run = await replay([path, '--to', `tcp://127.0.0.1:${receiver.port}`, '--rate', '1000']);
    expect(run.code).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    await until(() => receiver.messages.length >= lines.length);
    expect(receiver.messages).toEqual(lines);
  });

  it('exits non-zero with a clear error when the destination takes nothing', async () => {
    const { path } = logFile(100);
    const receiver = await tcpReceiver();
    const port = receiver.port;
    // Nothing listens on the port once the receiver is gone.
    await (cleanups.pop() as () => Promise<void>)();
    const run = await replay([path, '--to', `tcp://127.0.0.1:${port}`, '--timeout', '1s']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/error: tcp:\/\/127\.0\.0\.1:\d+ confirmed no line for 1 s: connect ECONNREFUSED/);
    expect(run.stderr).toMatch(/fix: +check that the receiver is running/);
    expect(run.stderr).toMatch(/replay: 0 of 100 lines read were delivered/);
  });

  it('rejects an unknown file or destination before sending', async () => {
    const missing = await replay(['/nonexistent/ems.log', '--to', 'tcp://127.0.0.1:1']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read '\/nonexistent\/ems.log'/);
    const { path } = logFile(1);
    const bogus = await replay([path, '--to', 'smtp://127.0.0.1:25']);
    expect(bogus.code).toBe(1);
    expect(bogus.stderr).toMatch(/unknown scheme 'smtp'/);
  });
});

describe('fortiems replay to the HTTP source', () => {
  it('POSTs NDJSON in chunks with the token; every line once, in order, a 429 retried', async () => {
    const { path, lines } = logFile(4500);
    // The second request is refused once (as a full pipeline would): replay must resend exactly that chunk.
    const receiver = await httpReceiver((index) => (index === 1 ? { status: 429, headers: { 'retry-after': '0' } } : { status: 200 }));
    const run = await replay([path, '--to', receiver.url, '--token', 'the-http-source-token']);
    expect(run.stderr).toMatch(/replay: 4,500 lines/);
    expect(run.code).toBe(0);
    expect(receiver.posted.flatMap((post) => post.lines)).toEqual(lines);
    expect(receiver.posted.length).toBeGreaterThanOrEqual(5);
    expect(receiver.requests()).toBe(receiver.posted.length + 1);
    for (const { headers } of receiver.posted) {
      expect(headers['content-type']).toBe('application/x-ndjson');
      expect(headers.authorization).toBe('Bearer the-http-source-token');
    }
  });

  it('takes the path as given, /ingest when there is none', async () => {
    const { path } = logFile(3);
    const paths: string[] = [];
    const server = createHttpServer((request, response) => {
      paths.push(request.url ?? '');
      request.resume();
      request.on('end', () => response.end('{"accepted":3}'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    expect((await replay([path, '--to', `http://127.0.0.1:${port}`])).code).toBe(0);
    expect((await replay([path, '--to', `http://127.0.0.1:${port}/v1/logs`])).code).toBe(0);
    expect(paths).toEqual(['/ingest', '/v1/logs']);
  });

  it('exits non-zero with a clear error when the token is refused', async () => {
    const { path } = logFile(10);
    const receiver = await httpReceiver(() => ({ status: 401 }));
    const run = await replay([path, '--to', receiver.url, '--token', 'wrong']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/error: http:\/\/127\.0\.0\.1:\d+ refused the request \(HTTP 401\)/);
    expect(run.stderr).toMatch(/--token or FORTIEMS_INGEST_TOKEN/);
    expect(receiver.posted).toEqual([]);
  });
});

describe('the replay progress display', () => {
  const capture = (isTTY: boolean) => {
    const stream = Object.assign(new PassThrough(), { isTTY, columns: 120 });
    let text = '';
    stream.setEncoding('utf8').on('data', (chunk: string) => {
      text += chunk;
    });
    return { stream, text: () => text };
  };

  it('draws a bar on a TTY (lines, lines/s, % of the file) and clears it when stopped', async () => {
    const { stream, text } = capture(true);
    let lines = 0;
    const sample = () => {
      lines += 500;
      return { lines, bytes: 250 };
    };
    const progress = startProgress({ stream, totalBytes: 1000, intervalMs: 10, sample });
    await new Promise((resolve) => setTimeout(resolve, 60));
    progress.stop();
    await new Promise((resolve) => setImmediate(resolve));
    const ESC = String.fromCharCode(0x1b);
    const frames = text().split(`\r${ESC}[2K`).filter(Boolean);
    expect(frames.length).toBeGreaterThan(1);
    for (const frame of frames) expect(frame).toMatch(/^\[######-{18}\] +25\.0% {2}[\d,]+ lines {2}[\d,]+ lines\/s$/);
    expect(text().endsWith('\r\x1b[2K')).toBe(true);
    expect(text()).not.toContain('\n');
  });

  it('prints plain lines otherwise, and says how much was read when the size is unknown', async () => {
    const { stream, text } = capture(false);
    const progress = startProgress({ stream, intervalMs: 10, sample: () => ({ lines: 1234, bytes: 4096 }) });
    await new Promise((resolve) => setTimeout(resolve, 40));
    progress.stop();
    await new Promise((resolve) => setImmediate(resolve));
    expect(text()).toMatch(/^replay: 1,234 lines {2}[\d,]+ lines\/s, 4\.0 KiB read\n/);
    expect(text()).not.toContain('\x1b');
  });
});

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
