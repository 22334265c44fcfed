import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LabelSelectorError, matchesSelector, parseLabelSelector } from './label-selector.ts';

test('a selector with every kind of requirement parses and matches as Kubernetes does', () => {
  const sel = parseLabelSelector('env=prod, tier!=db,app in (a, b),!legacy,team,zone notin (x)');
  assert.deepEqual(sel, [
    { key: 'env', op: 'in', values: ['prod'] },
    { key: 'tier', op: 'notin', values: ['db'] },
    { key: 'app', op: 'in', values: ['a', 'b'] },
    { key: 'legacy', op: 'absent' },
    { key: 'team', op: 'exists' },
    { key: 'zone', op: 'notin', values: ['x'] },
  ]);
  assert.equal(matchesSelector(sel, { env: 'prod', app: 'b', team: '' }), true);
  assert.equal(matchesSelector(sel, { env: 'prod', app: 'b', team: '', legacy: '1' }), false);
  assert.equal(matchesSelector(sel, { env: 'prod', app: 'c', team: '' }), false);
  assert.equal(matchesSelector(sel, { env: 'prod', app: 'a', team: '', tier: 'db' }), false);
  assert.equal(matchesSelector(parseLabelSelector('example.com/role==web'), { 'example.com/role': 'web' }), true);
  assert.deepEqual(parseLabelSelector('  '), []);
});

test('a selector that does not parse names the position', () => {
  const cases: [string, number][] = [
    ['env=prod,', 10],
    ['env=prod tier=db', 10],
    ['app in (a,b', 12],
    ['app in a', 8],
    ['=x', 1],
    ['-bad=x', 1],
    ['env=-x', 5],
  ];
  for (const [text, position] of cases) {
    assert.throws(() => parseLabelSelector(text), (e: unknown) => e instanceof LabelSelectorError && e.position === position, `${text} at ${position}`);
  }
});
