// The one destination-URL dialect (syslog/destination-url.ts) and its two wordings: the emitters' and replay's
// (`bad syslog destination …; expected …`) and `--forward`'s (an ActionableError with a fix).
import { describe, expect, it } from 'vitest';
import { destinationUrl } from '../../ems-core/outputs.js';
import { parseForwardUrl } from '../../ingest/forward/forward-url.js';
import { ActionableError } from '../../platform/errors.js';
import {
  DestinationUrlError,
  parseDestinationUrl,
  parseTransportUrl,
  type TransportSpec,
  transportUrl,
} from '../../syslog/destination-url.js';

function refusal(read: () => unknown): Error {
  try {
    read();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a refusal');
}

describe('parseTransportUrl', () => {
  it('reads the TLS parameters every user now shares: ca, client cert and key, server_name, insecure', () => {
    expect(parseTransportUrl('tls://logs.example:6514?ca=/ca.pem&cert=/c.pem&key=/k.pem&server_name=siem.example').spec).toEqual({
      kind: 'tls',
      host: 'logs.example',
      port: 6514,
      framing: 'octet',
      caFile: '/ca.pem',
      certFile: '/c.pem',
      keyFile: '/k.pem',
      serverName: 'siem.example',
      insecure: false,
    });
    // The emitters' and replay's dialect is the same one: a client certificate works for them too.
    expect(parseDestinationUrl('tls://[::1]?cert=/c.pem&key=/k.pem&insecure=1&framing=newline')).toEqual({
      kind: 'tls',
      host: '::1',
      port: 6514,
      framing: 'newline',
      certFile: '/c.pem',
      keyFile: '/k.pem',
      insecure: true,
    });
  });

  it.each([
    ['tls://h:6514?cert=/c.pem', 'cert=FILE and key=FILE come together', 'give both (a client certificate), or neither'],
    ['tls://h:6514?ca=', 'ca needs a file path', 'write ca=FILE'],
    ['tls://h:6514?server_name=', 'server_name needs a host name', 'write server_name=NAME'],
    ['tcp://h:514?framing=octet&framing=newline', 'framing is given 2 times', 'give framing once'],
    ['tcp://h:514?server_name=x', "unknown option 'server_name' for tcp: TLS settings", 'use tls://, or remove them'],
    ['udp://h:514?framing=octet', "unknown option 'framing' for udp: no framing on udp", 'remove framing'],
    ['tcp://h:514?color=red', "unknown parameter 'color' for tcp", 'known for tcp: framing'],
    ['udp://h:514?color=red', "unknown parameter 'color' for udp", 'known for udp: none'],
    ['tcp://h:514#top', 'no #fragment', 'remove the #…'],
    ['tcp://h:514/x', "no path after HOST:PORT, found '/x'", 'put options in the query'],
  ])('refuses %s, saying what is wrong and how to write it', (url, problem, fix) => {
    const error = refusal(() => parseTransportUrl(url));
    expect(error).toBeInstanceOf(DestinationUrlError);
    expect((error as DestinationUrlError).problem).toContain(problem);
    expect((error as DestinationUrlError).fix).toContain(fix);
  });

  it("takes a caller's rules: its own parameters, a required port, ca with insecure", () => {
    const { spec, parameters } = parseTransportUrl('udp://h:514?format=cef', { extraParameters: ['format'] });
    expect(spec).toEqual({ kind: 'udp', host: 'h', port: 514 });
    expect(parameters.get('format')).toBe('cef');
    expect(parseTransportUrl('tcp://h').spec).toMatchObject({ port: 514 });
    expect(() => parseTransportUrl('tcp://h', { portRequired: true })).toThrow('no HOST:PORT (the port is missing)');
    expect(() => parseTransportUrl('tls://h?ca=/ca.pem&insecure=1')).toThrow('choose one');
    expect(parseTransportUrl('tls://h?ca=/ca.pem&insecure=1', { allowCaWithInsecure: true }).spec).toMatchObject({
      caFile: '/ca.pem',
      insecure: true,
    });
  });
});

describe('transportUrl', () => {
  it('writes a URL that parses back to the same spec', () => {
    const specs: TransportSpec[] = [
      { kind: 'udp', host: '10.0.0.5', port: 514 },
      { kind: 'tcp', host: 'fe80::1', port: 1514, framing: 'newline' },
      { kind: 'tls', host: 'siem.example', port: 6514, framing: 'octet', insecure: true },
      {
        kind: 'tls',
        host: 'siem.example',
        port: 6514,
        framing: 'octet',
        caFile: '/etc/ssl/my ca.pem',
        certFile: '/c.pem',
        keyFile: '/k.pem',
        serverName: 'logs',
        insecure: false,
      },
    ];
    for (const spec of specs) expect(parseTransportUrl(transportUrl(spec)).spec).toEqual(spec);
  });

  it("is what the EMS core's log-settings destinations open (the URLs they always had)", () => {
    const base = { name: 'siem', format: 'rfc3164', facility: 16, framing: 'octet', tlsInsecure: true, enabled: true } as const;
    expect(destinationUrl({ ...base, host: '::1', port: 6514, protocol: 'tls' })).toBe('tls://[::1]:6514?framing=octet&insecure=1');
    expect(destinationUrl({ ...base, host: 'h', port: 514, protocol: 'tcp', framing: 'newline' })).toBe('tcp://h:514?framing=newline');
    expect(destinationUrl({ ...base, host: 'h', port: 514, protocol: 'udp' })).toBe('udp://h:514');
  });
});

describe('--forward URLs on the shared parser', () => {
  it('takes the transport part from the shared dialect, forwarding parameters on top', () => {
    expect(parseForwardUrl('tls://[::1]:6514?format=cef&cert=/c.pem&key=/k.pem&server_name=siem&min_level=warning')).toEqual({
      type: 'syslog',
      address: '[::1]:6514',
      mode: 'tls',
      format: 'cef',
      tls: { cert_file: '/c.pem', key_file: '/k.pem', server_name: 'siem' },
      filter: { min_level: 'warning' },
    });
    // Only what the URL says: the sink's own defaults (framing, verify) apply to the rest.
    expect(parseForwardUrl('tcp://h:514')).toEqual({ type: 'syslog', address: 'h:514', mode: 'tcp' });
    expect(parseForwardUrl('tls://h:6514?insecure=0')).toEqual({ type: 'syslog', address: 'h:6514', mode: 'tls', tls: { verify: true } });
  });

  it('words the shared mistakes as ActionableErrors with the fix', () => {
    for (const [url, message, fix] of [
      ['tcp://h:514?framing=lf', "framing must be 'octet' or 'newline', not 'lf'", 'write framing=octet or framing=newline'],
      ['tls://h:6514?key=/k.pem', 'cert=FILE and key=FILE come together', 'give both'],
      ['tls://h:6514?insecure=yes', "insecure must be 1 or 0, not 'yes'", 'write insecure=1 (or 0)'],
      ['tcp://h:514?format=cef&format=json', 'format is given 2 times', 'give format once'],
      ['tcp://h:514?format=xml', "unknown format 'xml'", 'use one of'],
      ['tcp://h:514?colour=red', "unknown parameter 'colour' for tcp", 'known for tcp: framing, format, facility'],
    ]) {
      const error = refusal(() => parseForwardUrl(url as string));
      expect(error).toBeInstanceOf(ActionableError);
      expect(error.message).toBe(`--forward '${url}': ${message}`);
      expect((error as ActionableError).fix).toContain(fix);
    }
  });

  it('reports a mistake in the transport part the same way in both dialects', () => {
    for (const url of ['udp://h:514?framing=octet', 'tcp://h:514?ca=/ca.pem', 'tls://h:0', 'tls://h:6514?cert=/c.pem']) {
      const problem = (refusal(() => parseTransportUrl(url)) as DestinationUrlError).problem;
      expect(refusal(() => parseDestinationUrl(url)).message).toContain(`: ${problem}; expected udp://HOST:PORT`);
      expect(refusal(() => parseForwardUrl(url)).message).toBe(`--forward '${url}': ${problem}`);
    }
  });
});
