/**
 * Label selectors as Kubernetes and Hetzner write them: requirements joined by commas, each
 * `key`, `!key`, `key=value` (or `==`), `key!=value`, `key in (a,b)` or `key notin (a,b)`.
 * A selector that does not parse is a LabelSelectorError naming the position (1-based).
 */
import { DomainError, type Localized } from './errors.ts';
import { labelKeyProblem, labelValueProblem } from './labels.ts';

/** One requirement of a selector; all of them must hold. */
export type Requirement =
  | { key: string; op: 'exists' | 'absent' }
  | { key: string; op: 'in' | 'notin'; values: string[] };

/** Why a selector does not parse, and where (1-based character position). */
export class LabelSelectorError extends Error {
  override readonly name = 'LabelSelectorError';
  readonly position: number;
  readonly reason: Localized;
  constructor(position: number, reason: Localized) {
    super(`label selector does not parse at position ${position}: ${reason.en}`);
    this.position = position;
    this.reason = reason;
  }
}

const WORD = /[A-Za-z0-9._/-]/;

/** Parses a selector; an empty selector has no requirements and matches everything. */
export function parseLabelSelector(text: string): Requirement[] {
  let i = 0;
  const fail = (reason: Localized): never => {
    throw new LabelSelectorError(i + 1, reason);
  };
  const space = () => {
    while (text[i] === ' ') i++;
  };
  const word = (what: Localized): string => {
    space();
    const start = i;
    while (i < text.length && WORD.test(text[i]!)) i++;
    if (i === start) fail({ en: `expected ${what.en}`, de: `erwartet: ${what.de}` });
    return text.slice(start, i);
  };
  const checked = (value: string, problem: Localized | null, at: number): string => {
    if (problem) {
      i = at;
      fail(problem);
    }
    return value;
  };
  const key = (): string => {
    space();
    const at = i;
    const k = word({ en: 'a label key', de: 'ein Label-Schlüssel' });
    return checked(k, labelKeyProblem(k), at);
  };
  const value = (): string => {
    space();
    const at = i;
    const start = i;
    while (i < text.length && WORD.test(text[i]!)) i++;
    const v = text.slice(start, i);
    return checked(v, labelValueProblem(v), at);
  };
  const out: Requirement[] = [];
  space();
  if (i === text.length) return out;
  for (;;) {
    space();
    if (text[i] === '!') {
      i++;
      out.push({ key: key(), op: 'absent' });
    } else {
      const k = key();
      space();
      if (text.startsWith('!=', i)) {
        i += 2;
        out.push({ key: k, op: 'notin', values: [value()] });
      } else if (text.startsWith('==', i) || text[i] === '=') {
        i += text.startsWith('==', i) ? 2 : 1;
        out.push({ key: k, op: 'in', values: [value()] });
      } else if (/^(in|notin)[ (]/.test(text.slice(i))) {
        const op = text.startsWith('notin', i) ? 'notin' : 'in';
        i += op.length;
        space();
        if (text[i] !== '(') fail({ en: 'expected "(" after in/notin', de: 'nach in/notin wird "(" erwartet' });
        i++;
        const values = [value()];
        for (space(); text[i] === ','; space()) {
          i++;
          values.push(value());
        }
        if (text[i] !== ')') fail({ en: 'expected "," or ")"', de: '"," oder ")" erwartet' });
        i++;
        out.push({ key: k, op, values });
      } else {
        out.push({ key: k, op: 'exists' });
      }
    }
    space();
    if (i === text.length) return out;
    if (text[i] !== ',') fail({ en: 'expected "," between requirements', de: 'zwischen Bedingungen wird "," erwartet' });
    i++;
  }
}

/** True when the labels satisfy every requirement. */
export function matchesSelector(requirements: Requirement[], labels: Record<string, string>): boolean {
  return requirements.every((r) => {
    const has = Object.hasOwn(labels, r.key);
    if (!('values' in r)) return has === (r.op === 'exists');
    const hit = has && r.values.includes(labels[r.key]!);
    return r.op === 'in' ? hit : !hit;
  });
}

/** Parses a selector given in a request; one that does not parse is LABEL_SELECTOR_INVALID naming `field`. */
export function selectorFromRequest(text: string, field: string): Requirement[] {
  try {
    return parseLabelSelector(text);
  } catch (e) {
    if (!(e instanceof LabelSelectorError)) throw e;
    throw new DomainError('LABEL_SELECTOR_INVALID', { position: e.position, reason: e.reason }, [{ field, message: e.reason }]);
  }
}
