/**
 * The operators' overdue-backup report on a control plane whose clock the test moves on: nothing
 * is owed before a schedule's first run; two days later both servers of a selector schedule are
 * listed with no verified backup; once the schedule's backups are verified good none is; a server
 * made after the run, a paused schedule (PATCH enabled: false) or one that is gone owes nothing,
 * and one turned on again owes nothing for the days it was off.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ApiError, backupApi, type OverdueBackup } from '@kumulus/api';
import { startTestServer, type TestServer } from '../harness.ts';

const DAY = 24 * 3_600_000;
let skipped = 0;
const clock = () => Date.now() + skipped;

describe('overdue backup report', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ clock });
  });
  after(async () => {
    await s?.stop();
  });

  test('a selector schedule that ran and has no verified-good backup lists its servers until it has one', async () => {
    const c = s.client;
    const api = backupApi(c);
    // Credit for the days the clock skips, so dunning does not suspend the tenant meanwhile.
    await c.bookLedger({ tenantId: (await c.me()).tenant.id, kind: 'topup', amount: '1000.00', currency: 'EUR', reference: 'TOPUP-OVERDUE-1' });
    await api.createTarget({ name: 'here', kind: 'dir', path: join(s.dataDir, 'bk'), default: true });
    const made = await Promise.all(['od-a', 'od-b'].map((name) => c.createServer({ name, plan: 'nano', image: 'tiny', labels: { backup: 'daily' } })));
    for (const m of made) assert.equal((await c.waitOperation(m.operation.id, 90)).state, 'succeeded');
    const schedule = await api.createSchedule({ name: 'daily', selector: 'backup=daily', cron: '0 3 * * *', timeZone: 'UTC', retention: { keepLast: 3 } });
    const names = (r: { items: OverdueBackup[] }) => r.items.map((x) => x.server.name).sort();
    assert.deepEqual((await api.overdue()).items, [], 'nothing is owed before the first run');

    // Two days on: the runs since the schedule was made promised a backup of each server.
    skipped += 2 * DAY;
    const owed = await api.overdue();
    assert.deepEqual(names(owed), ['od-a', 'od-b']);
    assert.ok(owed.items.every((x) => x.schedule.name === 'daily' && x.lastGoodAt === null && Date.parse(x.promisedAt) <= clock() - 3_600_000));
    assert.deepEqual((await api.overdue({ tenant: made[0]!.server.tenantId })).items.length, 2);
    const late = await c.createServer({ name: 'od-late', plan: 'nano', image: 'tiny', labels: { backup: 'daily' } });
    assert.deepEqual(names(await api.overdue()), ['od-a', 'od-b'], 'a server made after the run owes nothing yet');

    // The schedule runs (here on request) and its backups are verified good.
    await api.runSchedule(schedule.id);
    for (let i = 0; i < 1200; i++) {
      const ready = (await api.list({ server: made[0]!.server.id })).items.filter((b) => b.status.verification.state === 'good');
      const readyB = (await api.list({ server: made[1]!.server.id })).items.filter((b) => b.status.verification.state === 'good');
      if (ready.length && readyB.length) break;
      await sleep(250);
    }
    assert.deepEqual((await api.overdue()).items, [], 'every server has a verified backup newer than the run');

    // Paused, a schedule promises nothing; turned on again it counts its runs from then on.
    await assert.rejects(api.updateSchedule(schedule.id, { cron: '0 0 31 2 *' }), (e: ApiError) => e.status === 422 && e.code === 'SCHEDULE_INVALID');
    await assert.rejects(api.updateSchedule(schedule.id, { retention: { keepLast: 0 } }), (e: ApiError) => e.status === 422 && e.code === 'RETENTION_INVALID');
    assert.equal((await api.updateSchedule(schedule.id, { enabled: false })).enabled, false);
    skipped += 3 * DAY;
    assert.deepEqual((await api.overdue()).items, [], 'a paused schedule promises nothing');
    const resumed = await api.updateSchedule(schedule.id, { enabled: true, retention: { keepLast: 2 } });
    assert.deepEqual([resumed.enabled, resumed.retention], [true, { keepLast: 2 }]);
    assert.deepEqual((await api.overdue()).items, [], 'turned on again, the days it was off are not owed');
    await api.deleteSchedule(schedule.id);
    skipped += 3 * DAY;
    assert.deepEqual((await api.overdue()).items, [], 'a schedule that is gone promises nothing');
    for (const id of [...made.map((m) => m.server.id), late.server.id]) await c.waitOperation((await c.deleteServer(id)).id, 90);
  });
});
