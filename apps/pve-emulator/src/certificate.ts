/** The emulator's self-signed certificate, made with openssl the way a fresh Proxmox VE node makes pve-ssl.pem. */
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Makes a key and a one-day self-signed certificate for `host`; answers both as PEM and its SHA-256 fingerprint. */
export async function makeCertificate(host: string): Promise<{ cert: string; key: string; fingerprint: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'pve-emulator-tls-'));
  try {
    const san = isIP(host) ? `IP:${host},DNS:localhost` : `DNS:${host},DNS:localhost`;
    await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=pve-emulator', '-addext', `subjectAltName=${san}`, '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')]);
    const cert = await readFile(join(dir, 'cert.pem'), 'utf8');
    const key = await readFile(join(dir, 'key.pem'), 'utf8');
    return { cert, key, fingerprint: new X509Certificate(cert).fingerprint256 };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
