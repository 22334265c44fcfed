/**
 * The dashboard's files as the server hands them out: hashed assets precompressed (brotli,
 * gzip) by Accept-Encoding and cached for a year, the index page revalidated every time.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { get, type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { startTestServer, type TestServer } from '../../server/test/harness.ts';
import { ensureWebBuild } from './support/web-dist.ts';

/** A GET with raw bytes: fetch would decompress behind our back. */
function rawGet(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

describe('dashboard assets', () => {
  let server: TestServer;
  let dist = '';
  let scripts: string[] = [];
  let styles: string[] = [];

  before(async () => {
    dist = ensureWebBuild();
    server = await startTestServer();
    const index = readFileSync(join(dist, 'index.html'), 'utf8');
    scripts = [...index.matchAll(/src="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1]!);
    styles = [...index.matchAll(/href="(\/assets\/[^"]+\.css)"/g)].map((m) => m[1]!);
  });
  after(async () => {
    await server?.stop();
  });

  test('a hashed script comes as brotli or gzip by Accept-Encoding, cached as immutable', async () => {
    assert.ok(scripts.length > 0, 'index.html names a script under /assets/');
    const path = scripts[0]!;
    const original = readFileSync(join(dist, path));
    const br = await rawGet(`${server.url}${path}`, { 'accept-encoding': 'gzip, deflate, br' });
    assert.equal(br.status, 200);
    assert.equal(br.headers['content-encoding'], 'br');
    assert.match(String(br.headers['content-type']), /javascript/);
    assert.match(String(br.headers.vary), /accept-encoding/i);
    assert.equal(br.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.ok(br.body.length < original.length / 2, `brotli made ${br.body.length} of ${original.length} bytes`);
    assert.deepEqual(brotliDecompressSync(br.body), original);

    const gz = await rawGet(`${server.url}${path}`, { 'accept-encoding': 'gzip' });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(gz.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.deepEqual(gunzipSync(gz.body), original);

    const plain = await rawGet(`${server.url}${path}`, { 'accept-encoding': 'identity' });
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.deepEqual(plain.body, original);
  });

  test('the stylesheet is precompressed too', async () => {
    assert.ok(styles.length > 0, 'index.html names a stylesheet under /assets/');
    const res = await rawGet(`${server.url}${styles[0]}`, { 'accept-encoding': 'br' });
    assert.equal(res.headers['content-encoding'], 'br');
    assert.match(String(res.headers['content-type']), /text\/css/);
    assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable');
  });

  test('the index page, also as the answer to a dashboard route, is revalidated every time', async () => {
    for (const path of ['/', '/index.html', '/servers/new']) {
      const res = await rawGet(`${server.url}${path}`, { 'accept-encoding': 'br, gzip' });
      assert.equal(res.status, 200, path);
      assert.equal(res.headers['cache-control'], 'no-cache', path);
      assert.match(String(res.headers['content-type']), /text\/html/, path);
    }
  });
});
