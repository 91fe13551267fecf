/** Which release to run: an exact version, or the newest of a release line. */
export type VersionRequest = { kind: 'exact'; version: string } | { kind: 'line'; line: string };

/** "2.19.6" is exact; "2.19" or "3" names a release line. `product` names what was asked for in the error. */
export function parseVersionRequest(text: string, product = 'OpenSearch'): VersionRequest {
  if (!/^\d+(\.\d+){0,2}$/.test(text)) throw new Error(`not an ${product} version or release line: '${text}'`);
  return text.split('.').length === 3 ? { kind: 'exact', version: text } : { kind: 'line', line: text };
}

/** The Maven version (or version range) that resolves the request; Maven picks the newest inside a range. */
export function mavenVersionSpec(request: VersionRequest): string {
  if (request.kind === 'exact') return request.version;
  const parts = request.line.split('.').map(Number);
  const upper = [...parts];
  upper[upper.length - 1] = (upper[upper.length - 1] ?? 0) + 1;
  const pad = (numbers: number[]) => [...numbers, 0, 0].slice(0, 3).join('.');
  return `[${pad(parts)},${pad(upper)})`;
}

export function matchesRequest(version: string, request: VersionRequest): boolean {
  if (request.kind === 'exact') return version === request.version;
  return version === request.line || version.startsWith(`${request.line}.`);
}

/** Numeric comparison of dotted release versions ("2.19.10" > "2.19.9"). */
export function compareVersions(a: string, b: string): number {
  const left = a.split('.').map(Number);
  const right = b.split('.').map(Number);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const diff = (left[i] ?? 0) - (right[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}
