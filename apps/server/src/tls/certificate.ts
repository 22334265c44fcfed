/**
 * The HTTPS listener's certificate: the operator's own files in `<data-dir>/tls/`, or a self-signed one that is
 * made there on first start (the way Proxmox VE makes its own at installation) and kept across restarts.
 */
import { execFile } from 'node:child_process';
import { createPrivateKey, randomBytes, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { certificateNames, type CertificateNames } from './host-names.ts';

const run = promisify(execFile);

/**
 * 825 days is the longest validity Apple's platforms accept for a TLS server certificate, even one the user
 * trusts by hand; a longer one would be refused there once an operator adds it to the keychain.
 */
export const SELF_SIGNED_DAYS = 825;

/** The certificate and key the HTTPS listener serves, and what an operator or a client checks about them. */
export interface TlsMaterial {
  /** PEM: the certificate, then any intermediates. */
  cert: string;
  key: string;
  certFile: string;
  keyFile: string;
  /** SHA-256 of the leaf certificate in the AA:BB:… form that `openssl x509 -fingerprint -sha256` and browsers show. */
  fingerprint: string;
  /** Whether it was made just now (first start) rather than read from the files. */
  generated: boolean;
  validTo: Date;
  subjectAltName: string;
}

/** Where the certificate and its key live: `<data-dir>/tls/cert.pem` and `key.pem`, the folder 0700. */
export function tlsFiles(dataDir: string): { dir: string; cert: string; key: string } {
  const dir = join(dataDir, 'tls');
  return { dir, cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') };
}

/**
 * Reads the certificate and key, making a self-signed pair first when neither file exists. A certificate
 * without its key (or the reverse), or a key that does not belong to it, is refused with what to do.
 */
export async function ensureCertificate(dataDir: string, names: CertificateNames = certificateNames()): Promise<TlsMaterial> {
  const files = tlsFiles(dataDir);
  mkdirSync(files.dir, { recursive: true, mode: 0o700 });
  chmodSync(files.dir, 0o700);
  const hasCert = existsSync(files.cert);
  const hasKey = existsSync(files.key);
  if (hasCert !== hasKey) {
    const missing = hasCert ? files.key : files.cert;
    throw new Error(`TLS: ${missing} is missing. Put both the certificate (${files.cert}) and its private key (${files.key}) in place, or remove both to have a new self-signed certificate made.`);
  }
  const generated = !hasCert;
  if (generated) await generateSelfSigned(files, names);
  // The key must stay the owner's alone, also when an operator copied it in with a looser mode.
  chmodSync(files.key, 0o600);
  return load(files, generated);
}

function load(files: { cert: string; key: string }, generated: boolean): TlsMaterial {
  const cert = readFileSync(files.cert, 'utf8');
  const key = readFileSync(files.key, 'utf8');
  let x509: X509Certificate;
  try {
    // With a chain in the file this parses the first certificate, the one the server presents.
    x509 = new X509Certificate(cert);
  } catch (err) {
    throw new Error(`TLS: ${files.cert} holds no PEM certificate (${(err as Error).message})`);
  }
  let privateKey: ReturnType<typeof createPrivateKey>;
  try {
    privateKey = createPrivateKey(key);
  } catch (err) {
    throw new Error(`TLS: ${files.key} holds no unencrypted PEM private key (${(err as Error).message})`);
  }
  if (!x509.checkPrivateKey(privateKey)) throw new Error(`TLS: the key in ${files.key} does not belong to the certificate in ${files.cert}`);
  return {
    cert,
    key,
    certFile: files.cert,
    keyFile: files.key,
    fingerprint: x509.fingerprint256,
    generated,
    validTo: new Date(x509.validTo),
    subjectAltName: x509.subjectAltName ?? '',
  };
}

// Debian's openssl makes the pair: a P-256 key (fast to make, accepted by every browser) and a leaf that is
// not a CA (Firefox refuses a CA certificate as a server's), for serverAuth, named for the host and its addresses.
async function generateSelfSigned(files: { dir: string; cert: string; key: string }, names: CertificateNames): Promise<void> {
  const tmp = join(files.dir, `.new-${randomBytes(4).toString('hex')}`);
  const config = [
    '[req]',
    'distinguished_name = dn',
    'x509_extensions = ext',
    'prompt = no',
    '[dn]',
    `CN = ${names.commonName}`,
    'O = Kumulus (self-signed)',
    '[ext]',
    `subjectAltName = ${[...names.dns.map((d) => `DNS:${d}`), ...names.ips.map((ip) => `IP:${ip}`)].join(', ')}`,
    'basicConstraints = critical, CA:FALSE',
    'extendedKeyUsage = serverAuth',
    'subjectKeyIdentifier = hash',
    '',
  ].join('\n');
  writeFileSync(`${tmp}.cnf`, config, { mode: 0o600 });
  try {
    await run('openssl', ['req', '-x509', '-new', '-config', `${tmp}.cnf`, '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-sha256', '-days', String(SELF_SIGNED_DAYS), '-keyout', `${tmp}.key`, '-out', `${tmp}.crt`]);
    chmodSync(`${tmp}.key`, 0o600);
    // Key first: a crash between the renames leaves a key without certificate, which start-up reports.
    renameSync(`${tmp}.key`, files.key);
    renameSync(`${tmp}.crt`, files.cert);
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new Error('TLS: openssl is not installed, so no certificate can be made (apt-get install openssl, or put your own certificate in place)');
    throw new Error(`TLS: openssl could not make a certificate: ${(e.stderr ?? e.message).trim()}`);
  } finally {
    for (const ext of ['cnf', 'key', 'crt']) rmSync(`${tmp}.${ext}`, { force: true });
  }
}
