/**
 * `kumulus 2fa`: the caller's second factors (an authenticator app and recovery codes) and the tenant's rule that
 * every user must have one. Changes carry the current password (asked for, or the first line piped in).
 */
import type { SecurityApi } from '@kumulus/api';
import { securityApi } from '@kumulus/api';
import { dispatch, parseCommand, takePositionals } from '../args.ts';
import { connect } from '../config.ts';
import { usageError } from '../errors.ts';
import { pick, t } from '../i18n.ts';
import { emit, printFields, say } from '../output.ts';
import { secret } from '../prompt.ts';

const groupHelp = {
  en: `Usage: kumulus 2fa status
       kumulus 2fa enrol                  add an authenticator app (TOTP): shows its key, asks for a first code
       kumulus 2fa disable                remove the authenticator app and the recovery codes
       kumulus 2fa recovery-codes         replace the recovery codes with 10 new ones
       kumulus 2fa require on|off [--tenant ten_…]   a second factor required of every user (tenant admins)

enrol, disable and recovery-codes ask for your current password; piped in, it is the first line of
standard input (and enrol's code the second). Recovery codes are shown once: keep them offline.`,
  de: `Aufruf: kumulus 2fa status
       kumulus 2fa enrol                  eine Authenticator-App (TOTP) hinzufügen: zeigt ihren Schlüssel, fragt nach einem ersten Code
       kumulus 2fa disable                die Authenticator-App und die Wiederherstellungscodes entfernen
       kumulus 2fa recovery-codes         die Wiederherstellungscodes durch 10 neue ersetzen
       kumulus 2fa require on|off [--tenant ten_…]   einen zweiten Faktor von jedem Benutzer verlangen (Mandanten-Admins)

enrol, disable und recovery-codes fragen nach Ihrem aktuellen Passwort; über die Standardeingabe ist es
die erste Zeile (und der Code für enrol die zweite). Wiederherstellungscodes werden einmal gezeigt: bewahren
Sie sie offline auf.`,
};

/** Runs `kumulus 2fa …`. */
export function runTwoFactor(args: string[]): Promise<void> {
  return dispatch(args, 'kumulus 2fa', pick(groupHelp), { status, enrol, disable, 'recovery-codes': recoveryCodes, require });
}

async function bare(args: string[], cmd: string, names: string[] = []) {
  const parsed = parseCommand(args, { tenant: { type: 'string' } } as const, cmd);
  if (parsed.help) {
    process.stdout.write(pick(groupHelp) + '\n');
    return null;
  }
  const positionals = takePositionals(parsed.positionals, names, cmd);
  const { client } = await connect();
  return { ...parsed, positionals, client, sec: securityApi(client) };
}

async function status(args: string[]): Promise<void> {
  const c = await bare(args, 'kumulus 2fa status');
  if (!c) return;
  const { output, sec } = c;
  const s = await sec.status();
  const totp = s.totp === null ? t('2fa.none') : !s.totp.enabled ? t('2fa.pending') : s.totp.locked ? t('2fa.locked') : t('2fa.on');
  emit(output, s, () =>
    printFields([
      [t('2fa.app'), totp],
      [t('2fa.codesLeft'), String(s.recoveryCodesLeft)],
      [t('2fa.required'), s.required ? t('yes') : t('no')],
    ]),
  );
}

/** Enrols an authenticator app with the given password: shows its key, asks a first code, prints the recovery codes. */
export async function enrolTotp(sec: SecurityApi, password: string): Promise<string[]> {
  const setup = await sec.startTotp(password);
  say(t('2fa.scan', { secret: setup.secret, uri: setup.uri }));
  const { recoveryCodes } = await sec.confirmTotp(await secret(t('2fa.firstCode')));
  say(t('2fa.recoveryCodes', { codes: recoveryCodes.join('\n  ') }));
  return recoveryCodes;
}

async function enrol(args: string[]): Promise<void> {
  const c = await bare(args, 'kumulus 2fa enrol');
  if (!c) return;
  const { output, sec } = c;
  const password = await secret(t('login.password'));
  if (output === 'json') {
    // JSON callers get the key and then the codes as objects, so a script can drive the enrolment.
    const setup = await sec.startTotp(password);
    process.stdout.write(`${JSON.stringify(setup)}\n`);
    return void process.stdout.write(`${JSON.stringify(await sec.confirmTotp(await secret(t('2fa.firstCode'))))}\n`);
  }
  await enrolTotp(sec, password);
}

async function disable(args: string[]): Promise<void> {
  const c = await bare(args, 'kumulus 2fa disable');
  if (!c) return;
  const { sec } = c;
  await sec.removeTotp(await secret(t('login.password')));
  say(t('2fa.disabled'));
}

async function recoveryCodes(args: string[]): Promise<void> {
  const c = await bare(args, 'kumulus 2fa recovery-codes');
  if (!c) return;
  const { output, sec } = c;
  const codes = await sec.newRecoveryCodes(await secret(t('login.password')));
  emit(output, codes, () => say(t('2fa.recoveryCodes', { codes: codes.recoveryCodes.join('\n  ') })));
}

async function require(args: string[]): Promise<void> {
  const cmd = 'kumulus 2fa require';
  const c = await bare(args, cmd, ['on|off']);
  if (!c) return;
  const { output, positionals, values, client, sec } = c;
  const [value] = positionals;
  if (value !== 'on' && value !== 'off') throw usageError(t('usage.badValue', { name: 'on|off', value: value ?? '', expected: 'on, off' }), cmd);
  const tenant = values.tenant ?? (await client.me()).tenant.id;
  const set = await sec.setTenantSecurity(tenant, { twoFactorRequired: value === 'on' });
  emit(output, set, () => say(t(set.twoFactorRequired ? '2fa.requiredOn' : '2fa.requiredOff')));
}
