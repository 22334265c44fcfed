/**
 * Where the CLI finds its API: ~/.config/kumulus/config.json, overridden by KUMULUS_URL / KUMULUS_TOKEN /
 * KUMULUS_FINGERPRINT.
 */
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { KumulusClient } from '@kumulus/api';
import { CliError, Exit } from './errors.ts';
import { language, t } from './i18n.ts';
import { fetchFor, normalizeFingerprint } from './tls-pin.ts';

/** What `kumulus login` stores. */
export interface CliConfig {
  url?: string;
  token?: string;
  /** Pinned SHA-256 certificate fingerprints (AA:BB:…) by origin (`https://host:port`), as `kumulus login` confirmed them. */
  fingerprints?: Record<string, string>;
}

/** The URL used when nothing else names one: where `kumulus serve` listens by default. */
export const defaultUrl = 'http://127.0.0.1:8080';

/** The config file's path; KUMULUS_CONFIG lets tests and several accounts keep their own. */
export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KUMULUS_CONFIG) return env.KUMULUS_CONFIG;
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'kumulus', 'config.json');
}

/** Reads the config file; a missing file is an empty config. */
export async function readConfig(path = configPath()): Promise<CliConfig> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as CliConfig;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
}

/** Writes the config file with mode 0600, atomically, since it holds a secret. */
export async function writeConfig(config: CliConfig, path = configPath()): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
  // writeFile's mode only applies when it creates the file; a stale tmp file keeps its own.
  await chmod(tmp, 0o600);
  await rename(tmp, path);
}

/** The origin a fingerprint is pinned for: scheme, host and port, as the browser's same-origin rule has it. */
export function pinKey(url: string): string {
  return new URL(url).origin;
}

/** The effective URL, token and pinned fingerprint: the environment wins over the file. */
export async function resolveConfig(env: NodeJS.ProcessEnv = process.env): Promise<{ url: string; token?: string; fingerprint?: string }> {
  const file = await readConfig(configPath(env));
  const url = env.KUMULUS_URL || file.url || defaultUrl;
  const pinned = URL.canParse(url) ? file.fingerprints?.[pinKey(url)] : undefined;
  return { url, token: env.KUMULUS_TOKEN || file.token, fingerprint: env.KUMULUS_FINGERPRINT || pinned };
}

/** An API client for the signed-in user; fails with exit 5 when there is no token at all. */
export async function connect(): Promise<{ client: KumulusClient; url: string }> {
  const { url, token, fingerprint } = await resolveConfig();
  if (!token) throw new CliError(Exit.auth, 'NOT_LOGGED_IN', t('error.notLoggedIn'));
  const pin = fingerprint === undefined ? undefined : normalizeFingerprint(fingerprint);
  if (pin === null) throw new CliError(Exit.usage, 'USAGE', t('tls.badFingerprintEnv', { value: fingerprint ?? '' }));
  return { client: new KumulusClient({ baseUrl: url, token, language, fetch: await fetchFor(url, pin) }), url };
}
