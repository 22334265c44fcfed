/**
 * Extracts from the official Proxmox VE API schema (../shared/reference/) the entries of the paths and methods
 * the emulator serves, so that the emulator can check requests on a machine without the reference:
 * `node scripts/extract-pve-schema.ts` writes apps/pve-emulator/schema/…extract.json.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { EMULATED_ROUTES } from '../apps/pve-emulator/src/emulator.ts';
import { EXTRACT_FILE, referenceSchemaFile } from '../apps/pve-emulator/src/schema.ts';

interface Node {
  path: string;
  info?: Record<string, Record<string, unknown>>;
  children?: Node[];
}

/** The extract of a reference tree: one flat node per emulated path, with only its emulated methods. */
export function extract(tree: Node[], routes: string[]): Node[] {
  const wanted = new Map<string, Set<string>>();
  for (const r of routes) {
    const [method, path] = r.split(' ') as [string, string];
    wanted.set(path, (wanted.get(path) ?? new Set()).add(method));
  }
  const out: Node[] = [];
  const walk = (n: Node) => {
    const methods = wanted.get(n.path);
    if (methods && n.info) {
      const info: Record<string, Record<string, unknown>> = {};
      for (const m of methods) {
        if (!n.info[m]) throw new Error(`the reference has no ${m} ${n.path}`);
        // What answers look like is not checked; the rest is kept as the reference has it.
        const { returns: _returns, ...rest } = n.info[m];
        info[m] = rest;
      }
      out.push({ path: n.path, info });
    }
    for (const c of n.children ?? []) walk(c);
  };
  for (const n of tree) walk(n);
  const found = new Set(out.flatMap((n) => Object.keys(n.info ?? {}).map((m) => `${m} ${n.path}`)));
  const missing = routes.filter((r) => !found.has(r));
  if (missing.length > 0) throw new Error(`the reference has no ${missing.join(', ')}`);
  return out;
}

if (import.meta.main) {
  const tree = JSON.parse(readFileSync(referenceSchemaFile(), 'utf8')) as Node[];
  writeFileSync(EXTRACT_FILE, `${JSON.stringify(extract(tree, EMULATED_ROUTES), null, 1)}\n`);
  console.log(`wrote ${EXTRACT_FILE} (${EMULATED_ROUTES.length} methods)`);
}
