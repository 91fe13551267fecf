import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { makePrivateDirSync, writePrivateFileSync } from '../fs/private-files.js';

export interface CertificatePair {
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
}

const RENEW_BEFORE_MS = 7 * 24 * 3_600_000;

function stillValid(certPem: string, now: number): boolean {
  try {
    return Date.parse(new X509Certificate(certPem).validTo) - now > RENEW_BEFORE_MS;
  } catch {
    return false;
  }
}

/**
 * The syslog TLS source's certificate when none is configured: self-signed (P-256, a year), for localhost, this host's
 * name and the loopback addresses; made once in `dir` and reused while it has more than a week left, so senders that
 * pinned it keep working across restarts. Senders verify it with the certificate itself as their CA file.
 */
export async function ensureSelfSignedCertificate(dir: string, now = Date.now()): Promise<CertificatePair & { created: boolean }> {
  const certFile = join(dir, 'syslog-tls-cert.pem');
  const keyFile = join(dir, 'syslog-tls-key.pem');
  if (existsSync(certFile) && existsSync(keyFile)) {
    const cert = readFileSync(certFile, 'utf8');
    if (stillValid(cert, now)) return { certFile, keyFile, cert, key: readFileSync(keyFile, 'utf8'), created: false };
  }
  const name = hostname();
  const pems = await generate([{ name: 'commonName', value: name }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now - 60_000),
    notAfterDate: new Date(now + 365 * 24 * 3_600_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 2, value: name },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  makePrivateDirSync(dir);
  // Key first, each written then renamed: a crash never leaves a certificate without its key.
  writePrivateFileSync(`${keyFile}.tmp`, pems.private);
  renameSync(`${keyFile}.tmp`, keyFile);
  writePrivateFileSync(`${certFile}.tmp`, pems.cert);
  renameSync(`${certFile}.tmp`, certFile);
  return { certFile, keyFile, cert: pems.cert, key: pems.private, created: true };
}
