import { createHash } from 'node:crypto';
import { DomainError, type Localized } from '../../lib/errors.ts';

/** Reads one length-prefixed field of the SSH wire format; null when it runs past the end. */
function field(buf: Buffer, at: number): { value: Buffer; next: number } | null {
  if (at + 4 > buf.length) return null;
  const len = buf.readUInt32BE(at);
  if (at + 4 + len > buf.length) return null;
  return { value: buf.subarray(at + 4, at + 4 + len), next: at + 4 + len };
}

const ECDSA = new Set(['ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521']);

/** Why a line is not an OpenSSH public key, or null when it is one we accept. */
export function sshKeyProblem(line: string): Localized | null {
  const parts = line.trim().split(/\s+/);
  if (parts.length < 2) return { en: 'expected "<type> <base64> [comment]"', de: 'erwartet wird „<Typ> <Base64> [Kommentar]“' };
  const [type, data] = parts as [string, string];
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(data)) return { en: 'the key data is not base64', de: 'die Schlüsseldaten sind kein Base64' };
  const blob = Buffer.from(data, 'base64');
  const t = field(blob, 0);
  if (!t || t.value.toString() !== type) return { en: `the key data does not hold a ${type} key`, de: `die Schlüsseldaten enthalten keinen ${type}-Schlüssel` };
  if (type === 'ssh-ed25519') {
    const k = field(blob, t.next);
    return k && k.value.length === 32 && k.next === blob.length ? null : { en: 'an ed25519 key has 32 bytes', de: 'ein ed25519-Schlüssel hat 32 Bytes' };
  }
  if (type === 'ssh-rsa') {
    const e = field(blob, t.next);
    const n = e && field(blob, e.next);
    if (!n || n.next !== blob.length) return { en: 'the RSA key is cut short', de: 'der RSA-Schlüssel ist unvollständig' };
    const bits = (n.value.length - (n.value[0] === 0 ? 1 : 0)) * 8;
    return bits >= 2048 ? null : { en: `RSA keys need at least 2048 bits, this one has ${bits}`, de: `RSA-Schlüssel brauchen mindestens 2048 Bit, dieser hat ${bits}` };
  }
  if (ECDSA.has(type)) {
    const curve = field(blob, t.next);
    const q = curve && field(blob, curve.next);
    return q && q.next === blob.length && type.endsWith(curve.value.toString()) ? null : { en: 'the ECDSA key is cut short', de: 'der ECDSA-Schlüssel ist unvollständig' };
  }
  if (type === 'sk-ssh-ed25519@openssh.com' || type === 'sk-ecdsa-sha2-nistp256@openssh.com') return null;
  return { en: `key type ${type} is not supported; use ssh-ed25519, ssh-rsa or ecdsa`, de: `der Schlüsseltyp ${type} wird nicht unterstützt; verwenden Sie ssh-ed25519, ssh-rsa oder ecdsa` };
}

/** A valid public key split into its parts, with the fingerprint `ssh-keygen -l` prints. */
export interface ParsedSshKey {
  /** The key as one line: type, base64 and comment, with single spaces. */
  line: string;
  type: string;
  comment: string;
  /** `SHA256:` and the unpadded base64 of the key data's SHA-256, as OpenSSH shows it. */
  fingerprint: string;
}

/** The key trimmed; throws INVALID_SSH_KEY naming key `index` and `field` when it is not one we accept. */
function checkedKey(text: string, index: number, field: string): string {
  const trimmed = text.trim();
  const problem = /[\r\n]/.test(trimmed) ? { en: 'give one key per entry, on one line', de: 'geben Sie einen Schlüssel pro Eintrag an, in einer Zeile' } : sshKeyProblem(trimmed);
  if (problem) throw new DomainError('INVALID_SSH_KEY', { index, reason: problem }, [{ field, message: problem }]);
  return trimmed;
}

/** Parses the `publicKey` of a saved key; throws INVALID_SSH_KEY when it is not one we accept. */
export function parseSshKey(text: string): ParsedSshKey {
  const [type, data, ...rest] = checkedKey(text, 1, 'publicKey').split(/\s+/) as [string, string, ...string[]];
  const comment = rest.join(' ');
  const digest = createHash('sha256').update(Buffer.from(data, 'base64')).digest('base64').replace(/=+$/, '');
  return { line: comment ? `${type} ${data} ${comment}` : `${type} ${data}`, type, comment, fingerprint: `SHA256:${digest}` };
}

/** Checks pasted keys (the `sshKeys` of a create request); answers them trimmed. */
export function validateSshKeys(keys: string[]): string[] {
  return keys.map((k, i) => checkedKey(k, i + 1, `sshKeys/${i}`));
}
