/**
 * `kumulus login`: stores an API URL and token, either given or made by signing in with e-mail and password.
 */
import { hostname } from 'node:os';
import { createInterface } from 'node:readline/promises';
import { KumulusClient, type Me } from '@kumulus/api';
import { parseCommand, takePositionals } from '../args.ts';
import { configPath, defaultUrl, readConfig, writeConfig } from '../config.ts';
import { usageError } from '../errors.ts';
import { language, pick, t } from '../i18n.ts';
import { emit, say } from '../output.ts';

const help = {
  en: `Usage: kumulus login [--url URL] [--token TOKEN] [--email EMAIL]

Without --token, asks for e-mail and password (the password comes from standard input when
that is not a terminal), signs in and creates an API token for this machine. The URL and token
are stored in ${configPath()} (mode 0600). KUMULUS_URL and KUMULUS_TOKEN override the file.

Options:
  --url URL          the Kumulus API (default: the stored one, else ${defaultUrl})
  --token TOKEN      an existing API token (kmt_…); checked, then stored
  --email EMAIL      the e-mail to sign in with, instead of asking
  -o, --output table|json   json prints {"user": User, "tenant": Tenant}`,
  de: `Aufruf: kumulus login [--url URL] [--token TOKEN] [--email E-MAIL]

Ohne --token wird nach E-Mail und Passwort gefragt (das Passwort kommt von der Standardeingabe,
wenn diese kein Terminal ist), angemeldet und ein API-Token für diesen Rechner erzeugt. URL und
Token werden in ${configPath()} gespeichert (Modus 0600). KUMULUS_URL und KUMULUS_TOKEN haben Vorrang.

Optionen:
  --url URL          die Kumulus-API (Standard: die gespeicherte, sonst ${defaultUrl})
  --token TOKEN      ein vorhandenes API-Token (kmt_…); wird geprüft, dann gespeichert
  --email E-MAIL     die E-Mail-Adresse zum Anmelden, statt zu fragen
  -o, --output table|json   json gibt {"user": User, "tenant": Tenant} aus`,
};

/** Runs `kumulus login`. */
export async function runLogin(args: string[]): Promise<void> {
  const cmd = 'kumulus login';
  const options = { url: { type: 'string' }, token: { type: 'string' }, email: { type: 'string' } } as const;
  const { values, positionals, output, help: wantsHelp } = parseCommand(args, options, cmd);
  if (wantsHelp) return void process.stdout.write(pick(help) + '\n');
  takePositionals(positionals, [], cmd);
  const url = (values.url || process.env.KUMULUS_URL || (await readConfig()).url || defaultUrl).replace(/\/$/, '');
  let token = values.token;
  let me: Me;
  if (token) {
    me = await new KumulusClient({ baseUrl: url, token, language }).me();
  } else {
    ({ me, token } = await signIn(url, values.email));
  }
  await writeConfig({ url, token });
  emit(output, me, () => say(t('login.done', { url, email: me.user.email, tenant: me.tenant.name, file: configPath() })));
}

// The API hands out tokens only to a signed-in session, so sign in, make a token, sign out again.
async function signIn(url: string, givenEmail: string | undefined): Promise<{ me: Me; token: string }> {
  const email = givenEmail ?? (await ask(t('login.email'), 'e-mail'));
  const password = process.stdin.isTTY ? await askHidden(t('login.password')) : await readStdinLine();
  const client = new KumulusClient({ baseUrl: url, language, fetch: cookieJarFetch(url) });
  const me = await client.login(email, password);
  const created = await client.createToken({ name: t('login.tokenName', { host: hostname() }) });
  await client.logout();
  return { me, token: created.secret };
}

// Node's fetch keeps no cookies, so carry the session cookie from the sign-in answer by hand.
// The API guards cookie sessions against cross-site requests by the Origin header, which a browser
// sets and Node's fetch does not; the CLI talks to the API's own origin, so it says so.
function cookieJarFetch(url: string): typeof fetch {
  const jar = new Map<string, string>();
  const origin = new URL(url).origin;
  return async (input, init = {}) => {
    const headers = new Headers(init.headers);
    headers.set('origin', origin);
    if (jar.size) headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(input, { ...init, headers });
    for (const cookie of res.headers.getSetCookie()) {
      const [pair = ''] = cookie.split(';');
      const eq = pair.indexOf('=');
      if (eq > 0) jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    return res;
  };
}

async function ask(question: string, what: string): Promise<string> {
  if (!process.stdin.isTTY) throw usageError(t('usage.noTty', { what }), 'kumulus login');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question(question)).trim();
  } finally {
    rl.close();
  }
}

async function askHidden(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  process.stderr.write(question);
  // readline echoes every key through _writeToOutput; silencing it is the usual way to hide a password.
  (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = () => {};
  try {
    return await rl.question('');
  } finally {
    rl.close();
    process.stderr.write('\n');
  }
}

async function readStdinLine(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return (Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '').trimEnd();
}
