/**
 * Label selectors for property tests: a small grammar of atoms, their text, and their meaning
 * evaluated here, apart from the server's parser and matcher.
 */

/** One requirement of a selector. */
export interface Atom {
  key: string;
  op: 'in' | 'notin' | 'exists' | 'absent';
  values: string[];
}

/** Whether labels satisfy every atom. */
export function holds(selector: Atom[], labels: Record<string, string>): boolean {
  return selector.every(({ key, op, values }) => {
    const v = labels[key];
    if (op === 'exists') return v !== undefined;
    if (op === 'absent') return v === undefined;
    if (op === 'in') return v !== undefined && values.includes(v);
    return v === undefined || !values.includes(v);
  });
}

/** An atom as the API reads it (`k=v`, `k!=v`, `k in (a,b)`, `k`, `!k`). */
export const text = (s: Atom) =>
  s.op === 'exists' ? s.key : s.op === 'absent' ? `!${s.key}` : s.values.length === 1 && s.op === 'in' ? `${s.key}=${s.values[0]}` : s.values.length === 1 ? `${s.key}!=${s.values[0]}` : `${s.key} ${s.op} (${s.values.join(',')})`;

/** Label sets with every case the atoms below tell apart. */
export const LABEL_SETS: Record<string, Record<string, string>> = {
  s1: { env: 'prod', tier: 'web' },
  s2: { env: 'prod', tier: 'db', backup: '' },
  s3: { env: 'test', tier: 'web', legacy: 'yes' },
  s4: {},
};

/** Atoms over LABEL_SETS. */
export const ATOMS: Atom[] = [
  { key: 'env', op: 'in', values: ['prod'] },
  { key: 'env', op: 'notin', values: ['prod'] },
  { key: 'tier', op: 'in', values: ['web', 'db'] },
  { key: 'tier', op: 'notin', values: ['db', 'x'] },
  { key: 'backup', op: 'exists', values: [] },
  { key: 'legacy', op: 'absent', values: [] },
];

/** Every selector of one or two atoms. */
export function selectors(): Atom[][] {
  const out: Atom[][] = [];
  for (let i = 0; i < ATOMS.length; i++) for (let j = i; j < ATOMS.length; j++) out.push(i === j ? [ATOMS[i]!] : [ATOMS[i]!, ATOMS[j]!]);
  return out;
}
