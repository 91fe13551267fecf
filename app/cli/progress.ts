export interface ProgressSample {
  /** Lines the destination has taken so far. */
  lines: number;
  /** Input bytes read so far. */
  bytes: number;
}

export interface ProgressOptions {
  /** Where to draw: a bar when it is a TTY, a plain line now and then otherwise (a log file stays readable). */
  stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Input size, when known (a file): gives the percentage. */
  totalBytes?: number | undefined;
  sample: () => ProgressSample;
  /** Default: 200 ms on a TTY, 5 s otherwise. */
  intervalMs?: number;
}

export interface Progress {
  /** Stops drawing and clears the bar, so what is printed next starts on a clean line. */
  stop(): void;
}

const count = new Intl.NumberFormat('en-US');
export const formatCount = (n: number): string => count.format(n);
const BAR_WIDTH = 24;
// The rate is measured over the last few seconds: steady enough to read, recent enough to show a stall.
const RATE_WINDOW_MS = 3000;

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

/** Draws progress from `sample()` on a timer; the timer never keeps the process alive. */
export function startProgress(options: ProgressOptions): Progress {
  const { stream, totalBytes, sample } = options;
  const tty = stream.isTTY === true;
  const history: { at: number; lines: number }[] = [{ at: Date.now(), lines: 0 }];

  const render = () => {
    const now = Date.now();
    const { lines, bytes } = sample();
    history.push({ at: now, lines });
    while (history.length > 2 && now - (history[1] as { at: number }).at >= RATE_WINDOW_MS) history.shift();
    const oldest = history[0] as { at: number; lines: number };
    const rate = now > oldest.at ? ((lines - oldest.lines) * 1000) / (now - oldest.at) : 0;
    const fraction = totalBytes ? Math.min(bytes / totalBytes, 1) : undefined;
    const figures = `${count.format(lines)} lines  ${count.format(Math.round(rate))} lines/s`;
    if (tty) {
      const done =
        fraction === undefined
          ? ''
          : `[${'#'.repeat(Math.round(fraction * BAR_WIDTH)).padEnd(BAR_WIDTH, '-')}] ${(fraction * 100).toFixed(1).padStart(5)}%  `;
      const text = `${done}${figures}${fraction === undefined ? `  ${formatBytes(bytes)} read` : ''}`;
      stream.write(`\r\x1b[2K${text.slice(0, Math.max((stream.columns ?? 80) - 1, 10))}`);
    } else {
      const share =
        fraction === undefined ? `${formatBytes(bytes)} read` : `${(fraction * 100).toFixed(1)}% of ${formatBytes(totalBytes ?? 0)}`;
      stream.write(`replay: ${figures}, ${share}\n`);
    }
  };

  const timer = setInterval(render, options.intervalMs ?? (tty ? 200 : 5000));
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      if (tty) stream.write('\r\x1b[2K');
    },
  };
}
