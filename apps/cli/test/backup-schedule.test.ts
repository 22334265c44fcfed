/**
 * `kumulus backup-schedule` against a real control plane: the next runs of a cron line in a
 * time zone, an impossible line and a policy that keeps nothing refused naming the option (in
 * German), a schedule made, listed, shown and deleted, and the prune simulator on PBS's own example.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { BackupSchedule, PruneSimulation, SchedulePreview } from '@kumulus/api';
import { json, runCli } from './run-cli.ts';
import { type CliTestServer, startCliTestServer } from './test-server.ts';

describe('kumulus backup-schedule', { timeout: 300_000 }, () => {
  let ts: CliTestServer;
  before(async () => {
    ts = await startCliTestServer();
  });
  after(() => ts?.stop());

  test('previews, refuses bad lines and policies plainly, makes, lists, shows and deletes a schedule, and simulates pruning', async () => {
    const de = { ...ts.env, KUMULUS_LANG: 'de' };
    assert.equal((await runCli(['backup-target', 'create', 'here', '--path', join(ts.dataDir, 'bk'), '--default'], { env: ts.env })).code, 0);

    const preview = json<SchedulePreview>(await runCli(['backup-schedule', 'preview', '30 2 * * 1', '--tz', 'Europe/Berlin', '--count', '3', '-o', 'json'], { env: ts.env }));
    assert.equal(preview.nextRuns.length, 3);
    assert.ok(preview.nextRuns.every((x) => new Date(x).getUTCDay() === 1 && /T0[01]:30:00/.test(x)), preview.nextRuns.join(' '));
    const never = await runCli(['backup-schedule', 'preview', '0 0 31 2 *'], { env: de });
    assert.equal(never.code, 4, never.stderr);
    assert.match(never.stderr, /trifft nie zu/);

    const nothing = await runCli(['backup-schedule', 'create', 'bad', '--selector', 'backup=nightly', '--cron', '0 3 * * *', '--keep-last', '0'], { env: de });
    assert.notEqual(nothing.code, 0);
    assert.match(nothing.stderr, /--keep-last/);
    const both = await runCli(['backup-schedule', 'create', 'bad', '--cron', '0 3 * * *', '--keep-last', '1'], { env: de });
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--server SERVER oder --selector/);
    const word = await runCli(['backup-schedule', 'create', 'bad', '--selector', 'a=b', '--cron', '0 3 * * *', '--keep-daily', 'seven'], { env: ts.env });
    assert.equal(word.code, 2);
    assert.match(word.stderr, /--keep-daily/);

    const made = json<BackupSchedule>(await runCli(['backup-schedule', 'create', 'nightly', '--selector', 'backup=nightly', '--cron', '0 3 * * *', '--mode', 'suspend', '--keep-last', '2', '--keep-weekly', '4', '-o', 'json'], { env: ts.env }));
    assert.equal(made.mode, 'suspend');
    assert.deepEqual(made.retention, { keepLast: 2, keepWeekly: 4 });
    assert.equal(made.nextRuns.length, 5);
    const list = await runCli(['backup-schedule', 'list'], { env: de });
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /NAME\s+SERVER\s+CRON\s+MODE\s+AUFBEWAHRUNG\s+NÄCHSTER LAUF/);
    assert.match(list.stdout, /nightly\s+backup=nightly\s+0 3 \* \* \* \(UTC\)\s+suspend\s+last=2 weekly=4/);
    const shown = await runCli(['backup-schedule', 'show', 'nightly'], { env: ts.env });
    assert.match(shown.stdout, /selector backup=nightly/);

    // Proxmox Backup Server's documentation example: keep-daily 1 and keep-weekly 1 over four days.
    const sim = json<PruneSimulation>(await runCli(['backup-schedule', 'simulate', '--keep-daily', '1', '--keep-weekly', '1', '--times', '2019-12-01T11:59:15Z,2019-12-02T11:59:15Z,2019-12-03T11:59:15Z,2019-12-04T11:59:15Z', '-o', 'json'], { env: ts.env }));
    assert.deepEqual(
      sim.decisions.map((x) => `${x.mark}${x.reason ? `:${x.reason}` : ''}`),
      ['keep:keepDaily', 'remove', 'remove', 'keep:keepWeekly'],
    );
    const table = await runCli(['backup-schedule', 'simulate', '--keep-last', '1', '--times', '2024-01-01T00:00:00Z,2024-01-02T00:00:00Z'], { env: de });
    assert.match(table.stdout, /ENTSCHEIDUNG\s+BEHALTEN DURCH/);
    assert.match(table.stdout, /keep\s+keepLast/);

    const off = json<BackupSchedule>(await runCli(['backup-schedule', 'update', 'nightly', '--disable', '--cron', '15 4 * * *', '--keep-daily', '7', '-o', 'json'], { env: ts.env }));
    assert.deepEqual([off.enabled, off.cron, off.retention], [false, '15 4 * * *', { keepDaily: 7 }]);
    assert.match((await runCli(['backup-schedule', 'show', 'nightly'], { env: ts.env })).stdout, /15 4 \* \* \* \(UTC\) — off/);
    const on = json<BackupSchedule>(await runCli(['backup-schedule', 'update', 'nightly', '--enable', '-o', 'json'], { env: ts.env }));
    assert.equal(on.enabled, true);
    const onAndOff = await runCli(['backup-schedule', 'update', 'nightly', '--enable', '--disable'], { env: de });
    assert.equal(onAndOff.code, 2);
    assert.match(onAndOff.stderr, /nicht beides/);
    assert.equal((await runCli(['backup-schedule', 'update', 'nightly'], { env: ts.env })).code, 2, 'nothing to change');
    const impossible = await runCli(['backup-schedule', 'update', 'nightly', '--cron', '0 0 31 2 *'], { env: ts.env });
    assert.equal(impossible.code, 4, impossible.stderr);

    // Nothing has run yet, so nothing is overdue; the report is the operators'.
    const overdue = await runCli(['backup', 'overdue'], { env: de });
    assert.equal(overdue.code, 0, overdue.stderr);
    assert.match(overdue.stdout, /jeder geplante Server hat ein geprüftes Backup/);
    assert.deepEqual(json<unknown[]>(await runCli(['backup', 'overdue', '--tenant', 'all', '-o', 'json'], { env: ts.env })), []);

    assert.equal((await runCli(['backup-schedule', 'delete', 'nightly'], { env: ts.env })).code, 0);
    const gone = await runCli(['backup-schedule', 'show', 'nightly'], { env: ts.env });
    assert.notEqual(gone.code, 0);
    assert.equal((await runCli(['backup-target', 'delete', 'here'], { env: ts.env })).code, 0);
  });
});
