/**
 * Lifecycle webhooks against a receiver on loopback: a server's created, started, stopped and
 * deleted events arrive signed (HMAC-SHA256 over timestamp and body), in order, and a receiver
 * that fails at first gets them again with backoff; the delivery log says what happened.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type Server as HttpServer } from 'node:http';
import { after, before, test } from 'node:test';
import type { ApiError } from '@kumulus/api';
import { describeEachStore, raw } from '../stores.ts';

interface Received {
  headers: Record<string, string | string[] | undefined>;
  body: string;
  answered: number;
}

describeEachStore(
  'webhooks API',
  (get) => {
    let receiver: HttpServer;
    let hookUrl = '';
    const received: Received[] = [];
    before(async () => {
      // Fails the first two requests (500), then accepts: the first event must be retried.
      receiver = createServer((req, res) => {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => {
          const answered = received.length < 2 ? 500 : 204;
          received.push({ headers: req.headers, body, answered });
          res.statusCode = answered;
          res.end();
        });
      });
      await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
      const addr = receiver.address();
      if (!addr || typeof addr === 'string') throw new Error('receiver has no port');
      hookUrl = `http://127.0.0.1:${addr.port}/hook`;
    });
    after(() => new Promise<void>((r) => receiver.close(() => r())));

    test('bad registrations are refused with a stable code', async () => {
      const { url, operatorToken: token, client } = get();
      const cases: [unknown, number, string][] = [
        [{ url: 'ftp://example.com/x', events: ['server.created'] }, 400, 'VALIDATION_FAILED'],
        [{ url: 'https://example.com/x', events: [] }, 400, 'VALIDATION_FAILED'],
        [{ url: 'https://example.com/x', events: ['server.exploded'] }, 400, 'VALIDATION_FAILED'],
        [{ url: 'https://user:pw@example.com/x', events: ['server.created'] }, 422, 'WEBHOOK_URL_REFUSED'],
      ];
      for (const [body, status, code] of cases) {
        const res = await raw(url, 'POST', '/webhooks', { token, body: JSON.stringify(body), headers: { 'accept-language': 'de' } });
        assert.equal(res.status, status, JSON.stringify(res.body));
        assert.equal(res.body.error.code, code);
      }
      await assert.rejects(client.listWebhookDeliveries('whk_00000000000000000000000000'), (e: ApiError) => e.status === 404 && e.code === 'WEBHOOK_NOT_FOUND');
    });

    test('a server life arrives signed, in order, and retried after failures', async () => {
      const { client } = get();
      const { webhook, secret } = await client.createWebhook({ url: hookUrl, events: ['server.created', 'server.started', 'server.stopped', 'server.deleted'] });
      assert.match(secret, /^whsec_/);
      assert.ok(!JSON.stringify(await client.listWebhooks()).includes(secret), 'the secret is shown only once');
      const c = await client.createServer({ name: 'hooked', plan: 'nano', image: 'tiny' });
      await client.waitOperation(c.operation.id, 60);
      await client.waitOperation((await client.serverAction(c.server.id, 'stop')).id, 60);
      await client.waitOperation((await client.deleteServer(c.server.id)).id, 60);

      // Four events: created and started (one phase change), stopped, deleted.
      let log = await client.listWebhookDeliveries(webhook.id);
      while (log.items.length < 4 || log.items.some((d) => d.state === 'pending')) {
        await new Promise((r) => setTimeout(r, 100));
        log = await client.listWebhookDeliveries(webhook.id);
      }
      assert.deepEqual(log.items.map((d) => d.event), ['server.created', 'server.started', 'server.stopped', 'server.deleted']);
      assert.deepEqual(log.items.map((d) => d.seq), [1, 2, 3, 4]);
      assert.ok(log.items.every((d) => d.state === 'delivered' && d.lastStatus === 204));
      assert.equal(log.items[0]!.attempts, 3, 'the first one failed twice, then went through');

      // What the receiver saw: the first event three times, then each once, in order.
      const ids = received.map((r) => r.headers['x-kumulus-delivery']);
      assert.deepEqual(ids, [log.items[0]!.id, log.items[0]!.id, ...log.items.map((d) => d.id)]);
      for (const r of received) {
        const ts = String(r.headers['x-kumulus-timestamp']);
        const expected = `sha256=${createHmac('sha256', secret).update(`${ts}.${r.body}`).digest('hex')}`;
        assert.equal(r.headers['x-kumulus-signature'], expected, 'signed with the secret over timestamp and body');
        const body = JSON.parse(r.body);
        assert.equal(body.event, r.headers['x-kumulus-event']);
        assert.equal(body.data.server.id, c.server.id);
      }
      await client.deleteWebhook(webhook.id);
      assert.equal((await client.listWebhooks()).items.length, 0);
    });
  },
  { webhooksAllowPrivateUrls: true, webhookDelivery: { baseDelayMs: 50, maxDelayMs: 200 } },
);
