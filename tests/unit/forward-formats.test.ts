import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { MemoryBuffer } from '../../ingest/buffers/memory-buffer.js';
import { createSyslogSink } from '../../ingest/forward/create-syslog-sink.js';
import { formatCef } from '../../ingest/forward/formats/cef.js';
import { formatterFor } from '../../ingest/forward/formats/index.js';
import { formatLeef } from '../../ingest/forward/formats/leef.js';
import { formatRfc3164 } from '../../ingest/forward/formats/rfc3164.js';
import { formatRfc5424 } from '../../ingest/forward/formats/rfc5424.js';
import { FORWARD_FORMATS, type FormatOptions } from '../../ingest/forward/forward-format.js';
import { type ParsedEvent, parseLine } from '../../parsers/parse-line.js';
import { MetricsRegistry } from '../../platform/telemetry/metrics-registry.js';
import { frameNewline } from '../../syslog/framing.js';
import { parseCef, parseLeef } from '../support/siem-parsers.js';

// Real lines from `fortiems ems simulate --seed 1`.
const AD_LINE =
  '<134>Dec  1 00:01:00 ems01.corp.example.com ems-adconnector: dtime="2026-12-01 00:01:00" type=event subtype=adconnector level=information emsserial=FCTEMS8883780002 msg="Connected to directory server" connector="ad" domain="corp.example.com" server="dc02.corp.example.com" emshostname="ems01.corp.example.com" vd="default"';
const NETWORK_LINE =
  '<134>Dec  1 07:30:00 ems01.corp.example.com ems-network: dtime="2026-12-01 07:30:00" type=event subtype=network level=information devid=FCTXY25PMDZFNFE2 uid=9C2DF0B55B1DB5CDCE8B75DAD09A7640 hostname="LAPTOP-55PXHFZ" user="jamal.muller" deviceip=10.10.32.23 devicemac=00-b4-35-39-ba-58 emsserial=FCTEMS8883780002 os="Microsoft Windows 11 Professional Edition, 64-bit (build 22631)" msg="Connection accepted" srcip=10.10.32.23 srcport=54907 dstport=8013 service="fcems_ecsocksrv" certstatus="valid" tlsver="TLSv1.3" usingpolicy="Legal-Policy" emshostname="ems01.corp.example.com" vd="default" fctver="7.2.5.1049"';
const CLIENT_WARNING_LINE =
  '<132>Dec  1 07:30:13 ems01.corp.example.com ems-client: dtime="2026-12-01 07:30:13" type=event subtype=endpoint level=warning devid=FCT67C10GU3XM2RK uid=1309AF63CB2FE1AB75E503DECA3CD7DE hostname="Galaxy-S23-yasmin" user="yasmin.martin" deviceip=10.10.33.67 devicemac=1c-d6-62-df-1c-d7 emsserial=FCTEMS8883780002 os="Android 13" msg="Endpoint compliance changed" status="compliant" reason="posture passed" usingpolicy="Global" emshostname="ems01.corp.example.com" vd="default" fctver="7.4.0.0127"';

const CONTEXT = { receivedAt: Date.UTC(2026, 11, 1, 8, 0, 0) };
const OPTIONS: FormatOptions = { facility: 16 };
const parse = (line: string): ParsedEvent => parseLine(line, CONTEXT);

/** A real event whose attacker-controlled values (endpoint name, user, message) contain every character a format must escape. */
function hostileEvent(): ParsedEvent {
  const event = structuredClone(parse(NETWORK_LINE));
  const document = event.document as Record<string, unknown>;
  document.message = 'a=b | c\\d\nsecond line\r';
  (document.user as Record<string, unknown>).name = 'eve=1|x\\y\tz';
  (document.host as Record<string, unknown>).hostname = 'evil host\n]"';
  (document.observer as Record<string, unknown>).hostname = 'ems 01\n.corp';
  (document.event as Record<string, unknown>).action = 'act|ion\\x';
  return event;
}

// --- Minimal readers, written from the specs, to prove that the escaped values round-trip. ---

/** RFC 5424 SD-PARAMs of the first SD-ELEMENT: `name="value"` with `\"`, `\\` and `\]` unescaped (§6.3.3). */
function parseStructuredData(line: string): { id: string; params: Record<string, string> } {
  const start = line.indexOf('[');
  const element = /^\[([^ \]]+)((?: [^=]+="(?:[^"\\]|\\.)*")*)\]/.exec(line.slice(start));
  if (!element) throw new Error('no SD-ELEMENT');
  const params: Record<string, string> = {};
  for (const match of (element[2] ?? '').matchAll(/ ([^=]+)="((?:[^"\\]|\\.)*)"/g)) {
    params[match[1] as string] = (match[2] as string).replace(/\\(["\\\]])/g, '$1');
  }
  return { id: element[1] as string, params };
}

describe('formatterFor', () => {
  it('has a formatter for every configured format and rejects others', () => {
    for (const format of FORWARD_FORMATS) expect(typeof formatterFor(format)).toBe('function');
    expect(() => formatterFor('xml' as never)).toThrow(/unknown forward format 'xml'/);
    expect(() => formatterFor('toString' as never)).toThrow(/unknown forward format/);
  });

  it('every format but raw gives exactly one line, for real, hostile and pipeline-error events', () => {
    const events = [
      parse(AD_LINE),
      parse(NETWORK_LINE),
      parse(CLIENT_WARNING_LINE),
      hostileEvent(),
      parse('not a log line\nwith a newline'),
      parse(
        'date=2026-11-23 time=08:00:01 logid="0107045057" type="event" subtype="endpoint" level="information" vd="root" msg="Add a FortiClient"',
      ),
    ];
    for (const format of FORWARD_FORMATS) {
      if (format === 'raw') continue;
      for (const event of events) {
        const output = formatterFor(format)(event, OPTIONS);
        expect(output.length, format).toBeGreaterThan(0);
        expect(output, format).not.toMatch(/[\r\n\u2028\u2029]/);
      }
    }
  });
});

describe('raw and json', () => {
  it('raw is exactly event.original', () => {
    expect(formatterFor('raw')(parse(AD_LINE), OPTIONS)).toBe(AD_LINE);
  });

  it('raw with newline framing: \\ → \\\\, LF → \\n, CR → \\r, so a real newline and a literal \\n stay apart (golden)', () => {
    const framed: FormatOptions = { facility: 16, newlineFramed: true };
    // Only octet framing in can bring a line break inside one line.
    const real = '<134>Dec  1 09:00:00 ems01 ems-event: msg="first\nsecond\r"';
    const literal = String.raw`<134>Dec  1 09:00:00 ems01 ems-event: msg="first\nsecond\r"`;
    const path = String.raw`<134>Dec  1 09:00:00 ems01 ems-event: path="C:\Temp\new"`;
    const raw = formatterFor('raw');
    expect(raw(parse(real), framed)).toBe(String.raw`<134>Dec  1 09:00:00 ems01 ems-event: msg="first\nsecond\r"`);
    expect(raw(parse(literal), framed)).toBe(String.raw`<134>Dec  1 09:00:00 ems01 ems-event: msg="first\\nsecond\\r"`);
    expect(raw(parse(path), framed)).toBe(String.raw`<134>Dec  1 09:00:00 ems01 ems-event: path="C:\\Temp\\new"`);
    // On the wire: one frame each, and a receiver that undoes the escapes gets each line back exactly.
    const undoEscapes = (text: string) => text.replace(/\\(\\|n|r)/g, (_all, c: string) => ({ '\\': '\\', n: '\n', r: '\r' })[c] as string);
    for (const line of [real, literal, path, AD_LINE]) {
      const frame = frameNewline(raw(parse(line), framed)).toString('utf8');
      expect(frame.indexOf('\n')).toBe(frame.length - 1);
      expect(undoEscapes(frame.slice(0, -1))).toBe(line);
    }
    // Octet framing (and UDP) carry the line byte for byte.
    expect(raw(parse(real), OPTIONS)).toBe(real);
    expect(raw(parse(path), OPTIONS)).toBe(path);
  });

  it('the syslog sink tells raw it frames with newlines: a TCP receiver gets one escaped frame per event', async () => {
    const received: Buffer[] = [];
    const server = createServer((socket) => socket.on('data', (chunk) => received.push(chunk)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const sink = createSyslogSink(
      'raw_newline',
      {
        type: 'syslog',
        address: `127.0.0.1:${port}`,
        mode: 'tcp',
        framing: 'newline',
        format: 'raw',
        batch: { max_events: 10, timeout_ms: 10 },
      },
      { buffer: new MemoryBuffer(1_048_576), registry: new MetricsRegistry(), dataDir: tmpdir() },
    );
    try {
      await sink.start();
      const lines = ['<134>Dec  1 09:00:00 ems01 ems-event: msg="a\nb"', String.raw`<134>Dec  1 09:00:00 ems01 ems-event: msg="a\nb"`];
      await sink.accept(lines.map(parse));
      const deadline = Date.now() + 5000;
      while (Buffer.concat(received).toString().split('\n').length < 3 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      expect(Buffer.concat(received).toString()).toBe(
        `${String.raw`<134>Dec  1 09:00:00 ems01 ems-event: msg="a\nb"`}\n${String.raw`<134>Dec  1 09:00:00 ems01 ems-event: msg="a\\nb"`}\n`,
      );
    } finally {
      await sink.stop(1000);
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('json is the ECS document on one line, newlines escaped by JSON', () => {
    const event = hostileEvent();
    const output = formatterFor('json')(event, OPTIONS);
    expect(output).not.toContain('\n');
    expect(JSON.parse(output)).toEqual(event.document);
  });
});

describe('rfc5424', () => {
  it('golden: a real EMS event', () => {
    expect(formatRfc5424(parse(NETWORK_LINE), OPTIONS)).toBe(GOLDEN.rfc5424Network);
    expect(formatRfc5424(parse(CLIENT_WARNING_LINE), { facility: 1, appName: 'fortiems', hostname: 'relay01' })).toBe(
      GOLDEN.rfc5424Warning,
    );
  });

  it('escapes ", \\ and ] in SD-PARAM values and keeps the values readable back', () => {
    const output = formatRfc5424(hostileEvent(), OPTIONS);
    const sd = parseStructuredData(output.slice(output.indexOf('[')));
    expect(sd.id).toBe('fortiems@32473');
    // The newline is written as the two characters `\n` (RFC 5424 has no escape for it; a raw one would split the frame).
    expect(sd.params.endpoint).toBe('evil host\\n]"');
    expect(sd.params.user).toBe('eve=1|x\\y\\tz');
    expect(sd.params.category).toBe('ems-network');
  });

  it('sanitizes HOSTNAME, APP-NAME and MSGID to printable ASCII without spaces and cuts them to their RFC lengths', () => {
    const fields = formatRfc5424(hostileEvent(), { facility: 16, appName: `app name\n${'x'.repeat(60)}` }).split(' ');
    expect(fields[2]).toBe('ems_01_.corp');
    expect(fields[3]).toBe(`app_name_${'x'.repeat(39)}`);
    expect(fields[3]).toHaveLength(48);
    expect(fields[4]).toBe('-');
    expect(fields[5]).toBe('act|ion\\x');
    const long = formatRfc5424(parse(AD_LINE), { facility: 16, hostname: 'h'.repeat(300) }).split(' ');
    expect(long[2]).toHaveLength(255);
  });

  it('a pipeline error keeps its original line as MSG, escaped to one line, at severity error', () => {
    const output = formatRfc5424(parse('not a log line\nwith a newline'), { facility: 16, hostname: 'relay' });
    expect(output).toMatch(
      /^<131>1 \S+ relay fortiems - - \[fortiems@32473 dataset="fortiems.unparsed" level="error" kind="pipeline_error"\] /,
    );
    expect(output.endsWith(' not a log line\\nwith a newline')).toBe(true);
  });

  it('an invalid facility falls back to local0 instead of throwing per event', () => {
    expect(formatRfc5424(parse(AD_LINE), { facility: 99 })).toMatch(/^<134>1 /);
  });
});

describe('rfc3164', () => {
  it('golden: the EMS header shape with the rebuilt EMS body', () => {
    expect(formatRfc3164(parse(AD_LINE), OPTIONS)).toBe(AD_LINE);
    expect(formatRfc3164(parse(CLIENT_WARNING_LINE), { facility: 4, hostname: 'relay 01', appName: 'fortiems ems:client' })).toBe(
      GOLDEN.rfc3164Warning,
    );
  });

  it('sanitizes the hostname and the TAG', () => {
    const output = formatRfc3164(hostileEvent(), OPTIONS);
    expect(output.startsWith('<134>Dec  1 07:30:00 ems_01_.corp ems-network: ')).toBe(true);
    expect(formatRfc3164(parse(AD_LINE), { facility: 16, appName: 't'.repeat(40) })).toContain(` ${'t'.repeat(32)}: `);
  });
});

describe('cef', () => {
  it('golden: real events', () => {
    expect(formatCef(parse(NETWORK_LINE), OPTIONS)).toBe(GOLDEN.cefNetwork);
    expect(formatCef(parse(CLIENT_WARNING_LINE), OPTIONS)).toBe(GOLDEN.cefWarning);
  });

  it('values with =, |, \\ and newlines give ONE line whose header and extension parse back to the original values', () => {
    const event = hostileEvent();
    const output = formatCef(event, OPTIONS);
    expect(output.split('\n')).toHaveLength(1);
    expect(output).not.toMatch(/[\r\n]/);
    const { header, extension } = parseCef(output);
    expect(header.slice(0, 4)).toEqual(['CEF:0', 'Fortinet', 'FortiClient EMS', '7.x']);
    expect(header[4]).toBe('act|ion\\x');
    // Header fields cannot carry line breaks: they become spaces.
    expect(header[5]).toBe('a=b | c\\d second line ');
    expect(header[6]).toBe('3');
    expect(extension.msg).toBe('a=b | c\\d\nsecond line\r');
    expect(extension.suser).toBe('eve=1|x\\y z');
    expect(extension.shost).toBe('evil host\n]"');
    expect(extension.dvchost).toBe('ems 01\n.corp');
    expect(extension.act).toBe('act|ion\\x');
    expect(extension.rt).toBe(String(Date.UTC(2026, 11, 1, 7, 30, 0)));
    expect(extension.cs1).toBe('ems-network');
    expect(extension.cs1Label).toBe('category');
  });
});

describe('leef', () => {
  it('golden: real events', () => {
    expect(formatLeef(parse(NETWORK_LINE), OPTIONS)).toBe(GOLDEN.leefNetwork);
  });

  it('escapes the tab delimiter, \\, = and newlines; values parse back', () => {
    const output = formatLeef(hostileEvent(), OPTIONS);
    expect(output).not.toMatch(/[\r\n]/);
    const { header, attributes } = parseLeef(output);
    expect(header).toEqual(['LEEF:2.0', 'Fortinet', 'FortiClient EMS', '7.x', 'act|ion\\x', 'x09']);
    expect(attributes.msg).toBe('a=b | c\\d\nsecond line\r');
    expect(attributes.usrName).toBe('eve=1|x\\y\tz');
    expect(attributes.identHostName).toBe('evil host\n]"');
    expect(attributes.sev).toBe('3');
  });
});

// Reviewed by hand against the specs (README.md has the mapping); regenerate only on a deliberate mapping change.
const GOLDEN = {
  rfc5424Network:
    '<134>1 2026-12-01T07:30:00.000Z ems01.corp.example.com ems-network - connection-accepted [fortiems@32473 category="ems-network" dataset="fortiems.network" level="information" outcome="success" emsserial="FCTEMS8883780002" devid="FCTXY25PMDZFNFE2" uid="9C2DF0B55B1DB5CDCE8B75DAD09A7640" endpoint="LAPTOP-55PXHFZ" user="jamal.muller" srcip="10.10.32.23"] dtime="2026-12-01 07:30:00" type=event subtype=network level=information devid=FCTXY25PMDZFNFE2 uid=9C2DF0B55B1DB5CDCE8B75DAD09A7640 hostname="LAPTOP-55PXHFZ" user="jamal.muller" deviceip=10.10.32.23 devicemac=00-b4-35-39-ba-58 emsserial=FCTEMS8883780002 os="Microsoft Windows 11 Professional Edition, 64-bit (build 22631)" msg="Connection accepted" srcip=10.10.32.23 srcport=54907 dstport=8013 service="fcems_ecsocksrv" certstatus="valid" tlsver="TLSv1.3" usingpolicy="Legal-Policy" emshostname="ems01.corp.example.com" vd="default" fctver="7.2.5.1049"',
  rfc5424Warning:
    '<12>1 2026-12-01T07:30:13.000Z relay01 fortiems - compliance-changed [fortiems@32473 category="ems-client" dataset="fortiems.client" level="warning" outcome="success" emsserial="FCTEMS8883780002" devid="FCT67C10GU3XM2RK" uid="1309AF63CB2FE1AB75E503DECA3CD7DE" endpoint="Galaxy-S23-yasmin" user="yasmin.martin"] dtime="2026-12-01 07:30:13" type=event subtype=endpoint level=warning devid=FCT67C10GU3XM2RK uid=1309AF63CB2FE1AB75E503DECA3CD7DE hostname="Galaxy-S23-yasmin" user="yasmin.martin" deviceip=10.10.33.67 devicemac=1c-d6-62-df-1c-d7 emsserial=FCTEMS8883780002 os="Android 13" msg="Endpoint compliance changed" status="compliant" reason="posture passed" usingpolicy="Global" emshostname="ems01.corp.example.com" vd="default" fctver="7.4.0.0127"',
  rfc3164Warning:
    '<36>Dec  1 07:30:13 relay_01 fortiems_ems_client: dtime="2026-12-01 07:30:13" type=event subtype=endpoint level=warning devid=FCT67C10GU3XM2RK uid=1309AF63CB2FE1AB75E503DECA3CD7DE hostname="Galaxy-S23-yasmin" user="yasmin.martin" deviceip=10.10.33.67 devicemac=1c-d6-62-df-1c-d7 emsserial=FCTEMS8883780002 os="Android 13" msg="Endpoint compliance changed" status="compliant" reason="posture passed" usingpolicy="Global" emshostname="ems01.corp.example.com" vd="default" fctver="7.4.0.0127"',
  cefNetwork:
    'CEF:0|Fortinet|FortiClient EMS|7.x|connection-accepted|Connection accepted|3|rt=1796110200000 src=10.10.32.23 spt=54907 dpt=8013 suser=jamal.muller shost=LAPTOP-55PXHFZ smac=00:B4:35:39:BA:58 dvchost=ems01.corp.example.com deviceExternalId=FCTEMS8883780002 cat=network act=connection-accepted outcome=success msg=Connection accepted cs1=ems-network cs1Label=category cs2=fortiems.network cs2Label=dataset cs3=FCTEMS8883780002 cs3Label=emsSerial cs4=FCTXY25PMDZFNFE2 cs4Label=deviceId cs5=9C2DF0B55B1DB5CDCE8B75DAD09A7640 cs5Label=endpointUid cs6=7.2.5.1049 cs6Label=forticlientVersion',
  cefWarning:
    'CEF:0|Fortinet|FortiClient EMS|7.x|compliance-changed|Endpoint compliance changed|5|rt=1796110213000 src=10.10.33.67 suser=yasmin.martin shost=Galaxy-S23-yasmin smac=1C:D6:62:DF:1C:D7 dvchost=ems01.corp.example.com deviceExternalId=FCTEMS8883780002 cat=host act=compliance-changed outcome=success msg=Endpoint compliance changed cs1=ems-client cs1Label=category cs2=fortiems.client cs2Label=dataset cs3=FCTEMS8883780002 cs3Label=emsSerial cs4=FCT67C10GU3XM2RK cs4Label=deviceId cs5=1309AF63CB2FE1AB75E503DECA3CD7DE cs5Label=endpointUid cs6=7.4.0.0127 cs6Label=forticlientVersion',
  leefNetwork:
    'LEEF:2.0|Fortinet|FortiClient EMS|7.x|connection-accepted|x09|devTime=1796110200000\tcat=ems-network\tsev=3\tsrc=10.10.32.23\tsrcPort=54907\tdstPort=8013\tsrcMAC=00:B4:35:39:BA:58\tusrName=jamal.muller\tidentHostName=LAPTOP-55PXHFZ\taction=connection-accepted\toutcome=success\tmsg=Connection accepted\tdataset=fortiems.network\temsHost=ems01.corp.example.com\temsSerial=FCTEMS8883780002\tdevId=FCTXY25PMDZFNFE2\tendpointUid=9C2DF0B55B1DB5CDCE8B75DAD09A7640\tfctVersion=7.2.5.1049',
};
