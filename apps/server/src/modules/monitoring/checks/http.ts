/** HTTP(S) check: status after redirects, an optional keyword in the body, and the time to the answer. */
import { Agent, request } from 'undici';
import { type CheckResult, reason, since } from './types.ts';

/** How much of a body is searched for the keyword. */
const BODY_LIMIT = 1_048_576;

/** What an HTTP check asks for. */
export interface HttpCheck {
  url: string;
  keyword?: string;
  /** Accepted final status codes; any 2xx when absent. */
  expectStatus?: number[];
  maxRedirects: number;
  maxResponseMs?: number;
  ignoreTlsErrors: boolean;
  timeoutMs: number;
}

/** Fetches the URL with GET, following up to `maxRedirects` redirects itself (each hop is shown in the message). */
export async function checkHttp(c: HttpCheck): Promise<CheckResult> {
  const start = performance.now();
  const dispatcher = new Agent({ connect: { rejectUnauthorized: !c.ignoreTlsErrors, timeout: c.timeoutMs }, headersTimeout: c.timeoutMs, bodyTimeout: c.timeoutMs });
  const signal = AbortSignal.timeout(c.timeoutMs);
  let url = c.url;
  try {
    for (let hop = 0; ; hop++) {
      const res = await request(url, { method: 'GET', dispatcher, signal, headers: { 'user-agent': 'Kumulus-Monitor/1', accept: '*/*' } });
      const location = res.headers.location;
      if (res.statusCode >= 300 && res.statusCode < 400 && typeof location === 'string') {
        await res.body.dump();
        if (hop >= c.maxRedirects) return { ok: false, ms: since(start), message: `more than ${c.maxRedirects} redirects (last to ${location})` };
        url = new URL(location, url).toString();
        continue;
      }
      const ms = since(start);
      const accepted = c.expectStatus ? c.expectStatus.includes(res.statusCode) : res.statusCode >= 200 && res.statusCode < 300;
      const via = hop ? ` after ${hop} redirect${hop > 1 ? 's' : ''} to ${url}` : '';
      if (!accepted) {
        await res.body.dump();
        return { ok: false, ms, message: `HTTP ${res.statusCode}${via}` };
      }
      if (c.keyword !== undefined) {
        const body = await readLimited(res.body);
        if (!body.includes(c.keyword)) return { ok: false, ms, message: `HTTP ${res.statusCode}${via}, but the keyword "${c.keyword}" is missing` };
      } else {
        await res.body.dump();
      }
      if (c.maxResponseMs !== undefined && ms > c.maxResponseMs) return { ok: false, ms, message: `HTTP ${res.statusCode}${via} in ${ms} ms, slower than ${c.maxResponseMs} ms` };
      return { ok: true, ms, message: `HTTP ${res.statusCode}${via} in ${ms} ms` };
    }
  } catch (err) {
    const timedOut = signal.aborted || /timeout/i.test(reason(err));
    return { ok: false, ms: null, message: timedOut ? `no answer within ${c.timeoutMs} ms` : reason(err) };
  } finally {
    await dispatcher.close().catch(() => {});
  }
}

async function readLimited(body: AsyncIterable<Buffer> & { destroy(): void }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= BODY_LIMIT) break;
  }
  body.destroy();
  return Buffer.concat(chunks).toString('utf8');
}
