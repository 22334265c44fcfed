/**
 * `kumulus login`: stores an API URL and token, either given or made by signing in with e-mail and password, and
 * for an https server whose certificate this machine does not trust, the certificate's pinned fingerprint.
 */
import { hostname } from 'node:os';
import { KumulusClient, type Me, needsSecondFactor, securityApi } from '@kumulus/api';
import { parseCommand, takePositionals } from '../args.ts';
import { configPath, defaultUrl, pinKey, readConfig, writeConfig } from '../config.ts';
import { CliError, Exit, usageError } from '../errors.ts';
import { language, pick, t } from '../i18n.ts';
import { emit, note, say } from '../output.ts';
import { ask, secret } from '../prompt.ts';
import { enrolTotp } from './two-factor.ts';
import { certificateChanged, fetchFor, normalizeFingerprint, probeCertificate } from '../tls-pin.ts';

const help = {
  en: `Usage: kumulus login [--url URL] [--token TOKEN] [--email EMAIL] [--fingerprint AA:BB:…]

Without --token, asks for e-mail and password (the password comes from standard input when
that is not a terminal), then the code of the authenticator app for an account with a second
factor (piped in: the next line), signs in and creates an API token for this machine. An account
that must have a second factor and has none enrols one first. The URL and token
are stored in ${configPath()} (mode 0600). KUMULUS_URL and KUMULUS_TOKEN override the file.

An https server whose certificate this machine does not trust (the self-signed one kumulus serve
makes) is trusted the way SSH trusts a host on first contact: login shows the certificate's
SHA-256 fingerprint and asks, or takes it with --fingerprint; compare it with the one kumulus serve
printed. It is stored with the URL, and every later command refuses a server whose certificate
has another fingerprint.

Options:
  --url URL          the Kumulus API (default: the stored one, else ${defaultUrl})
  --token TOKEN      an existing API token (kmt_…); checked, then stored
  --email EMAIL      the e-mail to sign in with, instead of asking
  --fingerprint FP   the server certificate's SHA-256 fingerprint (AA:BB:…) to pin, instead of asking
  --code CODE        the 6-digit code of your authenticator app, instead of asking (accounts with 2FA)
  --recovery-code C  sign in with a recovery code instead (it is used up; it also unlocks a locked app)
  -o, --output table|json   json prints {"user": User, "tenant": Tenant}`,
  de: `Aufruf: kumulus login [--url URL] [--token TOKEN] [--email E-MAIL] [--fingerprint AA:BB:…]

Ohne --token wird nach E-Mail und Passwort gefragt (das Passwort kommt von der Standardeingabe,
wenn diese kein Terminal ist), bei einem Konto mit zweitem Faktor dann nach dem Code der
Authenticator-App (über die Standardeingabe: die nächste Zeile), angemeldet und ein API-Token
für diesen Rechner erzeugt. Ein Konto, das einen zweiten Faktor haben muss, richtet ihn zuerst ein. URL und
Token werden in ${configPath()} gespeichert (Modus 0600). KUMULUS_URL und KUMULUS_TOKEN haben Vorrang.

Einem https-Server, dessen Zertifikat dieser Rechner nicht vertraut (dem selbstsignierten, das
kumulus serve erzeugt), wird vertraut wie SSH einem Host beim ersten Kontakt: login zeigt den
SHA-256-Fingerabdruck des Zertifikats und fragt nach, oder nimmt ihn mit --fingerprint entgegen;
vergleichen Sie ihn mit dem, den kumulus serve ausgegeben hat. Er wird mit der URL gespeichert, und
jeder spätere Befehl weist einen Server ab, dessen Zertifikat einen anderen Fingerabdruck hat.

Optionen:
  --url URL          die Kumulus-API (Standard: die gespeicherte, sonst ${defaultUrl})
  --token TOKEN      ein vorhandenes API-Token (kmt_…); wird geprüft, dann gespeichert
  --email E-MAIL     die E-Mail-Adresse zum Anmelden, statt zu fragen
  --fingerprint FA   der SHA-256-Fingerabdruck (AA:BB:…) des Serverzertifikats, statt nachzufragen
  --code CODE        der 6-stellige Code Ihrer Authenticator-App, statt zu fragen (Konten mit 2FA)
  --recovery-code C  stattdessen mit einem Wiederherstellungscode anmelden (er ist danach verbraucht)
  -o, --output table|json   json gibt {"user": User, "tenant": Tenant} aus`,
};

/** Runs `kumulus login`. */
export async function runLogin(args: string[]): Promise<void> {
  const cmd = 'kumulus login';
  const options = { url: { type: 'string' }, token: { type: 'string' }, email: { type: 'string' }, fingerprint: { type: 'string' }, code: { type: 'string' }, 'recovery-code': { type: 'string' } } as const;
  const { values, positionals, output, help: wantsHelp } = parseCommand(args, options, cmd);
  if (wantsHelp) return void process.stdout.write(pick(help) + '\n');
  takePositionals(positionals, [], cmd);
  const config = await readConfig();
  const url = (values.url || process.env.KUMULUS_URL || config.url || defaultUrl).replace(/\/$/, '');
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) throw usageError(t('usage.badValue', { name: 'url', value: url, expected: 'http(s)://HOST:PORT' }), cmd);
  const given = values.fingerprint === undefined ? undefined : normalizeFingerprint(values.fingerprint);
  if (given === null) throw usageError(t('usage.badValue', { name: 'fingerprint', value: values.fingerprint ?? '', expected: 'SHA-256, 32 hex bytes AA:BB:…' }), cmd);
  const https = new URL(url).protocol === 'https:';
  if (given && !https) throw usageError(t('tls.fingerprintForHttp', { url }), cmd);
  const fingerprints = { ...config.fingerprints };
  const pin = https ? await trust(url, given, fingerprints[pinKey(url)]) : undefined;
  const pinnedFetch = await fetchFor(url, pin);
  let token = values.token;
  let me: Me;
  if (token) {
    me = await new KumulusClient({ baseUrl: url, token, language, fetch: pinnedFetch }).me();
  } else {
    ({ me, token } = await signIn(url, values.email, pinnedFetch, { code: values.code, recoveryCode: values['recovery-code'] }));
  }
  if (pin) fingerprints[pinKey(url)] = pin;
  else if (https) delete fingerprints[pinKey(url)];
  await writeConfig({ ...config, url, token, fingerprints: Object.keys(fingerprints).length ? fingerprints : undefined });
  emit(output, me, () => say(t('login.done', { url, email: me.user.email, tenant: me.tenant.name, file: configPath() })));
}

/**
 * The fingerprint to pin for an https URL, or undefined when this machine's CAs vouch for the certificate. Like
 * SSH: a pinned certificate must match, a given fingerprint must match, an untrusted one is shown and confirmed.
 */
async function trust(url: string, given: string | undefined, pinned: string | undefined): Promise<string | undefined> {
  const probe = await probeCertificate(url);
  if (given) {
    if (probe.fingerprint !== given) throw new CliError(Exit.auth, 'TLS_FINGERPRINT_MISMATCH', t('tls.mismatch', { url, expected: given, actual: probe.fingerprint }));
    return given;
  }
  if (pinned === probe.fingerprint) return pinned;
  // Vouched for by this machine's CAs for the URL's name (the operator's own certificate): the usual web trust
  // holds, and a pin would refuse the certificate's next renewal. login is the user's explicit act, so say so.
  if (probe.trusted) {
    if (pinned) note(t('tls.pinDropped', { url }));
    return undefined;
  }
  if (pinned) throw certificateChanged(url, pinned, probe.fingerprint);
  if (!process.stdin.isTTY) throw new CliError(Exit.auth, 'TLS_UNTRUSTED', t('tls.untrustedNoTty', { url, reason: probe.reason, fingerprint: probe.fingerprint }));
  note(t('tls.firstContact', { url, reason: probe.reason, fingerprint: probe.fingerprint }));
  const answer = (await ask(t('tls.confirm', { url }), 'yes/no', 'kumulus login')).toLowerCase();
  if (answer !== t('yes') && answer !== 'yes') throw new CliError(Exit.auth, 'TLS_NOT_TRUSTED', t('tls.notConfirmed', { url }));
  return probe.fingerprint;
}

// The API hands out tokens only to a signed-in session, so sign in, make a token, sign out again. An account with
// a second factor is asked for its code (piped in: the line after the password); one that must have a second
// factor and has none enrols one here, as its session may do nothing else.
async function signIn(url: string, givenEmail: string | undefined, baseFetch: typeof fetch, proof: { code?: string; recoveryCode?: string }): Promise<{ me: Me; token: string }> {
  const email = givenEmail ?? (await ask(t('login.email'), 'e-mail', 'kumulus login'));
  const password = await secret(t('login.password'));
  const client = new KumulusClient({ baseUrl: url, language, fetch: cookieJarFetch(url, baseFetch) });
  const sec = securityApi(client);
  const first = await client.login(email, password);
  let me: Me;
  if (needsSecondFactor(first)) {
    const { challenge } = first.secondFactor;
    if (proof.recoveryCode) me = await sec.loginSecondFactor({ challenge, recoveryCode: proof.recoveryCode });
    else me = await sec.loginSecondFactor({ challenge, code: proof.code ?? (await secret(t('login.code'))) });
  } else {
    me = first;
  }
  if (me.twoFactor.mustEnrol) {
    if (!process.stdin.isTTY) throw new CliError(Exit.auth, 'TWO_FACTOR_ENROLMENT_REQUIRED', t('login.mustEnrolNoTty'));
    note(t('login.mustEnrol'));
    await enrolTotp(sec, password);
    me = await client.me();
  }
  const created = await client.createToken({ name: t('login.tokenName', { host: hostname() }) });
  await client.logout();
  return { me, token: created.secret };
}

// Node's fetch keeps no cookies, so carry the session cookie from the sign-in answer by hand.
// The API guards cookie sessions against cross-site requests by the Origin header, which a browser
// sets and Node's fetch does not; the CLI talks to the API's own origin, so it says so.
function cookieJarFetch(url: string, baseFetch: typeof fetch): typeof fetch {
  const jar = new Map<string, string>();
  const origin = new URL(url).origin;
  return async (input, init = {}) => {
    const headers = new Headers(init.headers);
    headers.set('origin', origin);
    if (jar.size) headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await baseFetch(input, { ...init, headers });
    for (const cookie of res.headers.getSetCookie()) {
      const [pair = ''] = cookie.split(';');
      const eq = pair.indexOf('=');
      if (eq > 0) jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    return res;
  };
}
