// The committed schema extract is exactly what the script makes from the reference, when the reference is here.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { extract } from '../../../scripts/extract-pve-schema.ts';
import { EMULATED_ROUTES } from '../src/emulator.ts';
import { EXTRACT_FILE, loadSchema, type MethodSchema, referenceSchemaFile } from '../src/schema.ts';

test('the schema extract matches the official reference for every emulated route', (t) => {
  const committed = JSON.parse(readFileSync(EXTRACT_FILE, 'utf8'));
  const schema = loadSchema(EXTRACT_FILE);
  for (const r of EMULATED_ROUTES) {
    const [method, path] = r.split(' ') as [string, string];
    assert.ok(schema.routes.some((x) => x.template === path && x.methods[method]), `${r} is in the extract`);
  }
  const file = referenceSchemaFile();
  if (!existsSync(file)) return t.skip('the reference (../shared/reference/) is not on this machine');
  assert.deepEqual(committed, extract(JSON.parse(readFileSync(file, 'utf8')), EMULATED_ROUTES), 'run node scripts/extract-pve-schema.ts');
});

test('every emulated route exists in the PVE 8 schema too, with the same required parameters', (t) => {
  const file = referenceSchemaFile('8');
  if (!existsSync(file)) return t.skip('the reference (../shared/reference/) is not on this machine');
  const v8 = loadSchema(file);
  const v9 = loadSchema(EXTRACT_FILE);
  for (const r of EMULATED_ROUTES) {
    const [method, path] = r.split(' ') as [string, string];
    const old = v8.routes.find((x) => x.template === path)?.methods[method];
    assert.ok(old, `${r} exists on PVE 8`);
    const required = (m: MethodSchema | undefined) => Object.entries(m?.parameters?.properties ?? {}).filter(([, p]) => !p.optional).map(([k]) => k).sort();
    assert.deepEqual(required(old), required(v9.routes.find((x) => x.template === path)?.methods[method]), `${r}: same required parameters`);
  }
});
