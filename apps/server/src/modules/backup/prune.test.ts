import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { isoWeek, keepsSomething, type PruneItem, prune, type Retention } from './prune.ts';

// The reference cases of Proxmox Backup Server's own prune tests (tests/prune.rs), in UTC.
const items = (times: string[], protectedOnes: string[] = []): PruneItem[] => times.map((t) => ({ id: t, time: Date.parse(t), protected: protectedOnes.includes(t) }));
const removed = (list: PruneItem[], r: Retention) =>
  prune(list, r)
    .filter((d) => d.mark === 'remove')
    .map((d) => d.id)
    .sort();
const kept = (list: PruneItem[], r: Retention) =>
  prune(list, r)
    .filter((d) => d.mark === 'keep')
    .map((d) => d.id)
    .sort();

describe('prune: the reference cases of Proxmox Backup Server', () => {
  test('protected backups are never removed and never count', () => {
    const list = items(['2019-11-15T09:39:15Z', '2019-11-15T10:39:15Z', '2019-11-15T10:49:15Z', '2019-11-15T10:59:15Z'], ['2019-11-15T09:39:15Z', '2019-11-15T10:59:15Z']);
    assert.deepEqual(removed(list, { keepLast: 1 }), ['2019-11-15T10:39:15Z']);
    assert.deepEqual(removed(list, { keepHourly: 1 }), ['2019-11-15T10:39:15Z']);
  });

  test('hourly keeps the newest of each hour', () => {
    const list = items(['2019-11-15T09:39:15Z', '2019-11-15T10:49:15Z', '2019-11-15T10:59:15Z', '2019-11-15T11:39:15Z', '2019-11-15T11:49:15Z', '2019-11-15T11:59:15Z']);
    assert.deepEqual(removed(list, { keepHourly: 3 }), ['2019-11-15T10:49:15Z', '2019-11-15T11:39:15Z', '2019-11-15T11:49:15Z']);
    assert.deepEqual(kept(list, { keepHourly: 2 }), ['2019-11-15T10:59:15Z', '2019-11-15T11:59:15Z']);
  });

  test('options combine: each covers only what earlier ones did not (simple2)', () => {
    const list = items([
      '2018-11-15T11:59:15Z',
      '2019-11-15T11:59:15Z',
      '2019-11-21T11:59:15Z',
      '2019-11-22T11:59:15Z',
      '2019-11-29T11:59:15Z',
      '2019-12-01T11:59:15Z',
      '2019-12-02T11:59:15Z',
      '2019-12-03T11:59:15Z',
      '2019-12-04T11:59:15Z',
    ]);
    assert.deepEqual(kept(list, { keepDaily: 1 }), ['2019-12-04T11:59:15Z']);
    assert.deepEqual(kept(list, { keepLast: 1, keepDaily: 1 }), ['2019-12-03T11:59:15Z', '2019-12-04T11:59:15Z']);
    assert.deepEqual(kept(list, { keepDaily: 1, keepWeekly: 1 }), ['2019-12-01T11:59:15Z', '2019-12-04T11:59:15Z']);
    assert.deepEqual(kept(list, { keepDaily: 1, keepWeekly: 1, keepMonthly: 1 }), ['2019-11-22T11:59:15Z', '2019-12-01T11:59:15Z', '2019-12-04T11:59:15Z']);
    assert.deepEqual(kept(list, { keepMonthly: 1, keepYearly: 1 }), ['2018-11-15T11:59:15Z', '2019-12-04T11:59:15Z']);
  });

  test('keep-last, daily, weekly, monthly and yearly on four backups of one week (simple)', () => {
    const list = items(['2019-12-02T11:59:15Z', '2019-12-03T11:59:15Z', '2019-12-04T11:59:15Z', '2019-12-04T12:59:15Z']);
    const [a, b, c, d] = list.map((i) => i.id);
    assert.deepEqual(removed(list, { keepLast: 4 }), []);
    assert.deepEqual(removed(list, { keepLast: 3 }), [a]);
    assert.deepEqual(removed(list, { keepLast: 2 }), [a, b]);
    assert.deepEqual(removed(list, { keepLast: 1 }), [a, b, c]);
    assert.deepEqual(removed(list, { keepLast: 0 }), [a, b, c, d]);
    assert.deepEqual(removed(list, { keepLast: 2, keepDaily: 2 }), []);
    assert.deepEqual(removed(list, { keepDaily: 3 }), [c]);
    assert.deepEqual(removed(list, { keepDaily: 2 }), [a, c]);
    assert.deepEqual(removed(list, { keepWeekly: 5 }), [a, b, c], 'one week: one backup');
    assert.deepEqual(removed(list, { keepDaily: 1, keepWeekly: 5 }), [a, b, c]);
    assert.deepEqual(removed(list, { keepMonthly: 6 }), [a, b, c]);
    assert.deepEqual(removed(list, { keepYearly: 7 }), [a, b, c]);
    assert.deepEqual(removed(list, { keepWeekly: 5, keepMonthly: 6, keepYearly: 7 }), [a, b, c]);
  });

  test('weeks are ISO weeks: Monday to Sunday, the year they belong to decided by their Thursday', () => {
    assert.deepEqual(isoWeek(2019, 12, 30), { year: 2020, week: 1 });
    assert.deepEqual(isoWeek(2021, 1, 3), { year: 2020, week: 53 });
    assert.deepEqual(isoWeek(2019, 12, 1), { year: 2019, week: 48 });
    assert.deepEqual(isoWeek(2019, 12, 2), { year: 2019, week: 49 });
    // Sunday 2019-12-01 and Monday 2019-12-02 are in different weeks; Sunday and the Monday before are not.
    const list = items(['2019-11-25T08:00:00Z', '2019-12-01T08:00:00Z', '2019-12-02T08:00:00Z']);
    assert.deepEqual(kept(list, { keepWeekly: 5 }), ['2019-12-01T08:00:00Z', '2019-12-02T08:00:00Z']);
  });

  test('buckets follow the time zone asked for', () => {
    // 23:30 UTC on the 1st is already the 2nd in Berlin: one day in Berlin, two in UTC.
    const list = items(['2024-03-01T23:30:00Z', '2024-03-02T10:00:00Z']);
    assert.equal(prune(list, { keepDaily: 5 }, 'UTC').filter((d) => d.mark === 'keep').length, 2);
    assert.equal(prune(list, { keepDaily: 5 }, 'Europe/Berlin').filter((d) => d.mark === 'keep').length, 1);
  });
});

describe('prune: properties', () => {
  const arbItems = fc.uniqueArray(fc.record({ time: fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2026, 0, 1) }), protected: fc.boolean() }), { selector: (i) => i.time, maxLength: 60 }).map((l) => l.map((i, n) => ({ id: `b${n}`, ...i })));
  const arbRetention = fc.record({ keepLast: fc.option(fc.nat(5), { nil: undefined }), keepHourly: fc.option(fc.nat(5), { nil: undefined }), keepDaily: fc.option(fc.nat(10), { nil: undefined }), keepWeekly: fc.option(fc.nat(6), { nil: undefined }), keepMonthly: fc.option(fc.nat(12), { nil: undefined }), keepYearly: fc.option(fc.nat(3), { nil: undefined }) });

  test('nothing protected is removed; the newest unprotected backup is always kept; every backup gets one decision', () => {
    fc.assert(
      fc.property(arbItems, arbRetention, (list, r) => {
        const out = prune(list, r);
        assert.equal(out.length, list.length);
        for (const d of out) if (list.find((i) => i.id === d.id)!.protected) assert.equal(d.mark, 'protected');
        const newest = [...list].filter((i) => !i.protected).sort((a, b) => b.time - a.time)[0];
        if (newest && keepsSomething(r)) assert.equal(out.find((d) => d.id === newest.id)!.mark, 'keep');
      }),
      { numRuns: 500 },
    );
  });

  test('an option never keeps more than it says', () => {
    fc.assert(
      fc.property(arbItems, arbRetention, (list, r) => {
        const out = prune(list, r);
        for (const key of Object.keys(r) as (keyof Retention)[]) assert.ok(out.filter((d) => d.reason === key).length <= (r[key] ?? 0));
      }),
      { numRuns: 300 },
    );
  });
});
