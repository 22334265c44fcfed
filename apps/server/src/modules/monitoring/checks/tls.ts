/** TLS certificate check: the handshake succeeds, the certificate is trusted (unless told otherwise) and not expired. */
import { isIP } from 'node:net';
import { connect } from 'node:tls';
import { type CheckResult, reason, since } from './types.ts';

const DAY_MS = 86_400_000;

/** Makes a TLS handshake with host:port and reads the peer certificate's end of validity. */
export function checkTls(host: string, port: number, o: { timeoutMs: number; ignoreTlsErrors: boolean; now: number }): Promise<CheckResult> {
  const start = performance.now();
  return new Promise((resolve) => {
    // Never refused during the handshake: an untrusted certificate's expiry is still worth knowing.
    const socket = connect({ host, port, servername: isIP(host) ? undefined : host, rejectUnauthorized: false, timeout: o.timeoutMs });
    const end = (r: CheckResult) => {
      socket.destroy();
      resolve(r);
    };
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate();
      const expiresAt = cert?.valid_to ? Date.parse(cert.valid_to) : Number.NaN;
      if (!Number.isFinite(expiresAt)) return end({ ok: false, ms: since(start), message: 'the server sent no certificate' });
      const days = Math.floor((expiresAt - o.now) / DAY_MS);
      const until = new Date(expiresAt).toISOString().slice(0, 10);
      if (expiresAt <= o.now) return end({ ok: false, ms: since(start), message: `the certificate expired on ${until}`, certExpiresAt: expiresAt });
      if (!socket.authorized && !o.ignoreTlsErrors) return end({ ok: false, ms: since(start), message: `the certificate is not trusted: ${socket.authorizationError}`, certExpiresAt: expiresAt });
      end({ ok: true, ms: since(start), message: `certificate valid until ${until} (${days} days left)`, certExpiresAt: expiresAt });
    });
    socket.once('timeout', () => end({ ok: false, ms: null, message: `no TLS handshake within ${o.timeoutMs} ms` }));
    socket.once('error', (err) => end({ ok: false, ms: null, message: `TLS: ${reason(err)}` }));
  });
}
