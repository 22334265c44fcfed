/** Reading what users hand the CLI: files named with ~, standard input, and files of SSH keys. */
import { homedir } from 'node:os';
import { CliError, Exit } from './errors.ts';
import { t } from './i18n.ts';

/** `~/x` as a path in the home directory: `--opt=~/x` reaches us unexpanded, as the shell only expands a word-initial ~. */
export function expandHome(path: string): string {
  return path.startsWith('~/') ? homedir() + path.slice(1) : path;
}

/** All of standard input as text. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The key lines of a .pub or authorized_keys file read from `source`: blank lines and # comments
 * dropped. A private key is refused here, before it is ever sent anywhere.
 */
export function keyLines(text: string, source: string): string[] {
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) throw new CliError(Exit.invalidInput, 'PRIVATE_KEY_GIVEN', t('sshKey.private', { source }));
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}
