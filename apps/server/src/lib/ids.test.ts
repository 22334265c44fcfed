import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createIdGenerator } from './ids.ts';

test('ids made within one millisecond, or while the clock steps back, still sort in the order they were made', () => {
  let now = 1_000;
  const next = createIdGenerator(() => now);
  const ids = Array.from({ length: 1000 }, (_, i) => {
    if (i === 500) now = 900; // a clock stepped back
    return next('evt');
  });
  assert.ok(ids.every((id, i) => i === 0 || id > ids[i - 1]!), 'strictly increasing');
  assert.equal(new Set(ids).size, ids.length);
  now = 2_000;
  assert.ok(next('evt') > ids.at(-1)!);
});
