/**
 * Certificate pinning the way SSH pins host keys: a server whose certificate this machine does not trust is
 * trusted by the SHA-256 fingerprint of its certificate, confirmed once and then checked on every connection.
 */
import { checkServerIdentity, connect as tlsConnect, type TLSSocket } from 'node:tls';
import { isIP } from 'node:net';
import { CliError, Exit } from './errors.ts';
import { t } from './i18n.ts';

/** `AA:BB:…` (upper case, 32 bytes) from a fingerprint written with or without colons, in either case; null if it is none. */
export function normalizeFingerprint(value: string): string | null {
  const hex = value.trim().replace(/^sha256[:=]?/i, '').replace(/[:\s]/g, '').toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) return null;
  return hex.match(/../g)!.join(':');
}

/** What one TLS handshake with a server showed. */
export interface Probe {
  fingerprint: string;
  /** Whether this machine's CAs vouch for the certificate and its name matches the URL's host. */
  trusted: boolean;
  /** Why it is not trusted (the verifier's words). */
  reason: string;
}

/** Connects once to an https URL's host without trusting it, to see its certificate and whether it would verify. */
export function probeCertificate(url: string): Promise<Probe> {
  const { hostname, port } = new URL(url);
  const host = hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve, reject) => {
    const socket: TLSSocket = tlsConnect({ host, port: Number(port || 443), servername: isIP(host) ? undefined : host, rejectUnauthorized: false }, () => {
      const cert = socket.getPeerCertificate();
      // checkServerIdentity is skipped by Node when the chain does not verify, so ask both questions here.
      const nameError = socket.authorized ? checkServerIdentity(host, cert) : undefined;
      const reason = inWords(socket.authorizationError ? String(socket.authorizationError) : nameError ? 'ERR_TLS_CERT_ALTNAME_INVALID' : '');
      socket.end();
      resolve({ fingerprint: cert.fingerprint256, trusted: socket.authorized && !nameError, reason });
    });
    socket.setTimeout(15_000, () => socket.destroy(new Error('timed out')));
    socket.once('error', (err) => reject(new CliError(Exit.unexpected, 'UNREACHABLE', t('error.unreachable', { url, reason: (err as NodeJS.ErrnoException).code ?? err.message }))));
  });
}

// The verifier's codes in words; an unusual one is shown as it is.
function inWords(code: string): string {
  if (code === 'DEPTH_ZERO_SELF_SIGNED_CERT' || code === 'SELF_SIGNED_CERT_IN_CHAIN') return t('tls.reasonSelfSigned');
  if (code === 'CERT_HAS_EXPIRED') return t('tls.reasonExpired');
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return t('tls.reasonName');
  if (code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' || code === 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY') return t('tls.reasonIssuer');
  return code;
}

/** The error for a pinned server that now shows another certificate, with how to pin the new one. */
export function certificateChanged(url: string, expected: string, actual: string): CliError {
  return new CliError(Exit.auth, 'TLS_CERT_CHANGED', t('tls.changed', { url, expected, actual }));
}

// Node's verifier reports an untrusted certificate with one of these codes (as the cause of "fetch failed").
const UNTRUSTED = new Set(['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);

/**
 * The fetch the CLI talks to `url` with: for an https URL with a pin, one whose every TLS connection is checked
 * against the pinned fingerprint (and refused when it differs); otherwise the platform's own, whose refusal of an
 * untrusted certificate is told as "pin it with kumulus login".
 */
export async function fetchFor(url: string, pin: string | undefined): Promise<typeof fetch> {
  const https = new URL(url).protocol === 'https:';
  if (!https || !pin) {
    return async (input, init) => {
      try {
        return await fetch(input, init);
      } catch (err) {
        const code = ((err as Error).cause as NodeJS.ErrnoException | undefined)?.code;
        if (https && code && UNTRUSTED.has(code)) throw new CliError(Exit.auth, 'TLS_UNTRUSTED', t('tls.untrusted', { url, reason: inWords(code) }));
        throw err;
      }
    };
  }
  // undici only here: the plain case needs nothing beyond Node's own fetch, and the CLI starts faster without it.
  const undici = await import('undici');
  // No session cache: every connection makes a full handshake, so every one shows its certificate.
  const base = undici.buildConnector({ rejectUnauthorized: false, maxCachedSessions: 0 });
  const dispatcher = new undici.Agent({
    connect: (opts, callback) =>
      base(opts, (err, socket) => {
        if (err || !socket) return callback(err ?? new Error('no socket'), null);
        // The leaf certificate, as the server presented it on this very socket.
        const actual = (socket as TLSSocket).getPeerCertificate().fingerprint256;
        if (actual !== pin) {
          socket.destroy();
          return callback(certificateChanged(url, pin, actual ?? '?'), null);
        }
        callback(null, socket);
      }),
  });
  return async (input, init) => {
    try {
      return (await undici.fetch(input as string, { ...(init as object), dispatcher } as Parameters<typeof undici.fetch>[1])) as unknown as Response;
    } catch (err) {
      // undici wraps the connector's error as the cause of "fetch failed"; ours says what happened and what to do.
      const cause = (err as Error).cause;
      if (cause instanceof CliError) throw cause;
      throw err;
    }
  };
}
