import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DomainError } from '../../lib/errors.ts';
import { nextRuns } from './cron.ts';

test('cron lines step in their time zone; wrong, impossible and unknown-zone lines are SCHEDULE_INVALID', () => {
  const from = new Date('2026-03-28T12:00:00Z');
  // Berlin leaves winter time on 29 March 2026: 03:00 local is 02:00 UTC before and 01:00 UTC after.
  assert.deepEqual(
    nextRuns('0 3 * * *', 'Europe/Berlin', 3, from).map((d) => d.toISOString()),
    ['2026-03-29T01:00:00.000Z', '2026-03-30T01:00:00.000Z', '2026-03-31T01:00:00.000Z'],
  );
  assert.deepEqual(nextRuns('30 */6 * * 1', 'UTC', 2, from).map((d) => d.toISOString()), ['2026-03-30T00:30:00.000Z', '2026-03-30T06:30:00.000Z']);
  const invalid = (cron: string, tz = 'UTC') => assert.throws(() => nextRuns(cron, tz, 1, from), (e: DomainError) => e.code === 'SCHEDULE_INVALID');
  invalid('61 * * * *');
  invalid('0 3 * *');
  invalid('0 0 31 2 *');
  invalid('0 3 * * *', 'Mars/Olympus');
});
