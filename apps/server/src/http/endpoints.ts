/**
 * Where `serve` answers: HTTPS on the host's addresses with its certificate, and plain HTTP, which stays on
 * loopback (for the CLI and scripts on the host) unless the operator explicitly asks for it elsewhere.
 */
import type { FastifyInstance } from 'fastify';
import { ensureCertificate, type TlsMaterial } from '../tls/certificate.ts';
import { isLoopbackHost, lanAddress } from '../tls/host-names.ts';
import { type ListenSpec, parseListen, startListeners } from './listeners.ts';

/** What the endpoints are made from (a subset of ServeOptions). */
export interface EndpointOptions {
  /** Plain HTTP `HOST:PORT`; loopback only unless `insecureHttp`. */
  listen?: string;
  /** HTTPS `HOST:PORT`, `:PORT` for every address. */
  tlsListen?: string;
  /** Allows plain HTTP on an address other hosts can reach (behind a TLS proxy, say). */
  insecureHttp?: boolean;
}

/** The HTTPS side once it listens: where, and which certificate. */
export interface TlsEndpoint {
  /** A URL that reaches it from this host (`https://127.0.0.1:<port>` when it listens on every address). */
  url: string;
  /** `https://<LAN address>:<port>` when it listens on every address; else its own address. */
  lanUrl: string;
  fingerprint: string;
  certFile: string;
  /** Whether the certificate was made at this start. */
  generated: boolean;
  validTo: Date;
}

/** Endpoints whose addresses are checked and whose certificate is read, ready to start. */
export interface PreparedEndpoints {
  start(app: FastifyInstance): Promise<{ httpUrl?: string; tls?: TlsEndpoint; close(): Promise<void> }>;
}

/**
 * Checks the addresses and reads (or makes) the certificate before anything else starts, so that a refused
 * address or a broken certificate stops `serve` at once with a clear message.
 */
export async function prepareEndpoints(opts: EndpointOptions, dataDir: string): Promise<PreparedEndpoints> {
  if (!opts.listen && !opts.tlsListen) throw new Error('nothing to listen on: give a plain HTTP (loopback) or an HTTPS listen address');
  const plain = opts.listen ? parseListen(opts.listen) : null;
  if (plain && !opts.insecureHttp && !(plain.host && isLoopbackHost(plain.host))) {
    throw new Error(
      `plain HTTP on ${opts.listen} would carry passwords and session cookies unencrypted to other machines. Plain HTTP stays on loopback (such as 127.0.0.1:8080); other machines use HTTPS (--tls-listen). Behind a TLS proxy, allow it explicitly with --insecure-http.`,
    );
  }
  const secure = opts.tlsListen ? parseListen(opts.tlsListen) : null;
  const material: TlsMaterial | null = secure ? await ensureCertificate(dataDir) : null;
  return {
    async start(app) {
      const specs: ListenSpec[] = [];
      if (plain) specs.push(plain);
      if (secure && material) specs.push({ ...secure, tls: { cert: material.cert, key: material.key } });
      const { listeners, close } = await startListeners(app, specs);
      const http = listeners.find((l) => !l.secure);
      const https = listeners.find((l) => l.secure);
      const lan = https?.everyAddress ? lanAddress() : null;
      const tls =
        https && material
          ? {
              url: https.everyAddress ? `https://127.0.0.1:${https.port}` : https.url,
              lanUrl: lan ? `https://${lan.includes(':') ? `[${lan}]` : lan}:${https.port}` : https.url,
              fingerprint: material.fingerprint,
              certFile: material.certFile,
              generated: material.generated,
              validTo: material.validTo,
            }
          : undefined;
      return { httpUrl: http?.url.replace('[::1]', 'localhost'), tls, close };
    },
  };
}
