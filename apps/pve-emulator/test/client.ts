/** A minimal HTTPS client for the emulator's tests: trusts its certificate, sends form bodies like PVE's clients. */
import { request } from 'node:https';

/** One answer: status, reason phrase and parsed body. */
export interface Answer {
  status: number;
  reason: string;
  body: { data: unknown; message?: string; errors?: Record<string, string> };
}

/** Sends one request; `form` goes as application/x-www-form-urlencoded, `json` as JSON, `query` in the URL. */
export function call(base: { url: string; ca: string; auth?: string }, method: string, path: string, opts: { form?: Record<string, string>; json?: unknown; query?: Record<string, string>; rawBody?: string } = {}): Promise<Answer> {
  const url = new URL(`${base.url}/api2/json${path}`);
  for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v);
  const body = opts.rawBody ?? (opts.form ? new URLSearchParams(opts.form).toString() : opts.json !== undefined ? JSON.stringify(opts.json) : '');
  const headers: Record<string, string> = { authorization: base.auth ?? 'PVEAPIToken=kumulus@pve!kumulus=00000000-0000-4000-8000-000000000000' };
  headers['content-length'] = String(Buffer.byteLength(body));
  if (body) headers['content-type'] = opts.json !== undefined ? 'application/json' : 'application/x-www-form-urlencoded';
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, ca: base.ca }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => {
        text += c;
      });
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, reason: res.statusMessage ?? '', body: JSON.parse(text) });
        } catch {
          reject(new Error(`${method} ${path}: ${res.statusCode} ${res.statusMessage} with a body that is no JSON: ${text}`));
        }
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}
