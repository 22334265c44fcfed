/**
 * Labels on resources, validated the way Kubernetes and Hetzner do: a key is an optional DNS
 * prefix and `/`, then a name of up to 63 letters, digits, `-`, `_` or `.` that starts and ends
 * with a letter or digit; a value is empty or of the same form.
 */
import { DomainError, type Localized } from './errors.ts';

const NAME = /^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/;
const PREFIX = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;

/** Most labels one resource may carry. */
export const MAX_LABELS = 64;

/** What is wrong with a label key, or null when it is fine. */
export function labelKeyProblem(key: string): Localized | null {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : null;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== null && !PREFIX.test(prefix)) return { en: 'a key prefix must be a lower-case DNS name of up to 253 characters', de: 'ein Schlüsselpräfix muss ein DNS-Name in Kleinbuchstaben mit höchstens 253 Zeichen sein' };
  if (!NAME.test(name)) return { en: 'a key must be 1 to 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit', de: 'ein Schlüssel muss aus 1 bis 63 Buchstaben, Ziffern, "-", "_" oder "." bestehen und mit einem Buchstaben oder einer Ziffer beginnen und enden' };
  return null;
}

/** What is wrong with a label value, or null when it is fine. */
export function labelValueProblem(value: string): Localized | null {
  if (value === '' || NAME.test(value)) return null;
  return { en: 'a value must be empty or up to 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit', de: 'ein Wert muss leer sein oder aus bis zu 63 Buchstaben, Ziffern, "-", "_" oder "." bestehen und mit einem Buchstaben oder einer Ziffer beginnen und enden' };
}

/** Refuses labels that are not valid, naming each bad key or value as `labels.<key>`. */
export function assertValidLabels(labels: Record<string, string>, field = 'labels'): void {
  const entries = Object.entries(labels);
  const details = entries.flatMap(([k, v]) => {
    const problem = labelKeyProblem(k) ?? (typeof v === 'string' ? labelValueProblem(v) : { en: 'a value must be a string', de: 'ein Wert muss eine Zeichenkette sein' });
    return problem ? [{ field: `${field}.${k}`, message: problem }] : [];
  });
  if (entries.length > MAX_LABELS) details.push({ field, message: { en: `at most ${MAX_LABELS} labels`, de: `höchstens ${MAX_LABELS} Labels` } });
  if (details.length) throw new DomainError('VALIDATION_FAILED', { summary: { en: 'labels are not valid', de: 'Labels sind ungültig' } }, details);
}
