/**
 * `kumulus server rename|protect|shutdown|poweroff|resize|rebuild|reset-password`: the actions on a
 * server that exists, beside start/stop/reboot/delete in server.ts.
 */
import type { Operation } from '@kumulus/api';
import { parseCommand, parseSeconds, requireOption, takePositionals } from '../args.ts';
import { connect } from '../config.ts';
import { usageError } from '../errors.ts';
import { pick, t } from '../i18n.ts';
import { emit, printJson, say } from '../output.ts';
import { followOperation } from '../progress.ts';
import { resolveServer } from './server-view.ts';

/** The help of these subcommands, appended to `kumulus server --help`. */
export const serverLifeHelp = {
  en: `More commands:
  rename SERVER NEW-NAME                a new name; a hostname that was the name follows (in the guest and on its vSwitches)
  shutdown SERVER [--grace SECONDS]     asks the guest to shut down; fails (and leaves it running) after the grace time (default 30)
  poweroff SERVER                       kills the guest at once (stop asks first, then kills after 30 s)
  protect SERVER [--delete on|off] [--rebuild on|off]   refuse (on) or allow (off) delete and rebuild
  resize SERVER --plan PLAN             another plan: CPUs and memory change live, the disk only grows
  rebuild SERVER --image IMAGE --yes    a fresh root filesystem (ALL files on it are lost); id, address, keys stay
  reset-password SERVER                 a new generated root password, printed once`,
  de: `Weitere Befehle:
  rename SERVER NEUER-NAME              ein neuer Name; ein Hostname, der der Name war, folgt (im Gast und auf seinen vSwitches)
  shutdown SERVER [--grace SEKUNDEN]    bittet den Gast herunterzufahren; schlägt nach der Wartezeit fehl (Standard 30), der Server läuft dann weiter
  poweroff SERVER                       schaltet den Gast sofort hart aus (stop bittet erst und beendet nach 30 s)
  protect SERVER [--delete on|off] [--rebuild on|off]   Löschen und Neuaufsetzen verweigern (on) oder erlauben (off)
  resize SERVER --plan TARIF            anderer Tarif: CPUs und Speicher ändern sich im Betrieb, die Disk wächst nur
  rebuild SERVER --image IMAGE --yes    ein frisches Root-Dateisystem (ALLE Dateien darauf gehen verloren); ID, Adresse, Schlüssel bleiben
  reset-password SERVER                 ein neues erzeugtes Root-Passwort, einmal ausgegeben`,
};

const waitOptions = { 'no-wait': { type: 'boolean' }, timeout: { type: 'string' } } as const;

/** Follows an accepted operation like start/stop do, then says where the server is. */
async function follow(cmd: string, values: { 'no-wait'?: boolean; timeout?: string }, output: 'table' | 'json', serverId: string, name: string, accepted: Operation, extra?: () => void) {
  const { client } = await connect();
  if (values['no-wait']) return emit(output, accepted, () => say(t('server.actionAccepted', { op: accepted.id })));
  const op = await followOperation(client, accepted, { timeoutSeconds: parseSeconds(values.timeout, 600, 'timeout', cmd), format: output, label: name });
  if (output === 'json') return printJson(op);
  extra?.();
  const after = await client.getServer(serverId);
  say(t('server.actionDone', { name: after.name, phase: after.status.phase }));
}

const onOff = (v: string | undefined, name: string, cmd: string): boolean | undefined => {
  if (v === undefined) return undefined;
  if (v === 'on' || v === 'off') return v === 'on';
  throw usageError(t('usage.badValue', { name, value: v, expected: 'on|off' }), cmd);
};

/** The subcommands, for the dispatch in server.ts. */
export const serverLifeCommands = {
  async rename(args: string[]) {
    const cmd = 'kumulus server rename';
    const { positionals, output, help } = parseCommand(args, {}, cmd);
    if (help) return void process.stdout.write(pick(serverLifeHelp) + '\n');
    const [ref, name] = takePositionals(positionals, ['SERVER', 'NEW-NAME'], cmd);
    const { client } = await connect();
    const s = await resolveServer(client, ref!);
    const after = await client.updateServer(s.id, { name: name! });
    emit(output, after, () => say(t('server.renamed', { from: s.name, to: after.name })));
  },
  async shutdown(args: string[]) {
    const cmd = 'kumulus server shutdown';
    const { values, positionals, output, help } = parseCommand(args, { ...waitOptions, grace: { type: 'string' } }, cmd);
    if (help) return void process.stdout.write(pick(serverLifeHelp) + '\n');
    const [ref] = takePositionals(positionals, ['SERVER'], cmd);
    const grace = Math.round(parseSeconds(values.grace, 30, 'grace', cmd));
    const { client } = await connect();
    const s = await resolveServer(client, ref!);
    await follow(cmd, values, output, s.id, s.name, await client.shutdownServer(s.id, grace));
  },
  async poweroff(args: string[]) {
    const cmd = 'kumulus server poweroff';
    const { values, positionals, output, help } = parseCommand(args, waitOptions, cmd);
    if (help) return void process.stdout.write(pick(serverLifeHelp) + '\n');
    const [ref] = takePositionals(positionals, ['SERVER'], cmd);
    const { client } = await connect();
    const s = await resolveServer(client, ref!);
    await follow(cmd, values, output, s.id, s.name, await client.serverAction(s.id, 'poweroff'));
  },
  async protect(args: string[]) {
    const cmd = 'kumulus server protect';
    const { values, positionals, output, help } = parseCommand(args, { delete: { type: 'string' }, rebuild: { type: 'string' } }, cmd);
    if (help) return void process.stdout.write(pick(serverLifeHelp) + '\n');
    const [ref] = takePositionals(positionals, ['SERVER'], cmd);
    const body = { delete: onOff(values.delete, 'delete', cmd), rebuild: onOff(values.rebuild, 'rebuild', cmd) };
    const { client } = await connect();
    const s = await resolveServer(client, ref!);
    const after = await client.changeServerProtection(s.id, Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined)));
    const word = (on: boolean) => t(on ? 'server.protectOn' : 'server.protectOff');
    emit(output, after, () => say(t('server.protection', { name: after.name, delete: word(after.protection.delete), rebuild: word(after.protection.rebuild) })));
  },
  async resize(args: string[]) {
    const cmd = 'kumulus server resize';
    const { values, positionals, output, help } = parseCommand(args, { ...waitOptions, plan: { type: 'string' } }, cmd);
    if (help) return void process.stdout.write(pick(serverLifeHelp) + '\n');
    const [ref] = takePositionals(positionals, ['SERVER'], cmd);
    const plan = requireOption(values.plan, 'plan', cmd);
    const { client } = await connect();
    const s = await resolveServer(client, ref!);
    await follow(cmd, values, output, s.id, s.name, await client.resizeServer(s.id, plan));
  },
  async rebuild(args: string[]) {
    const cmd = 'kumulus server rebuild';
    const { values, positionals, output, help } = parseCommand(args, { ...waitOptions, image: { type: 'string' }, yes: { type: 'boolean' } }, cmd);
    if (help) return void process.stdout.write(pick(serverLifeHelp) + '\n');
    const [ref] = takePositionals(positionals, ['SERVER'], cmd);
    const image = requireOption(values.image, 'image', cmd);
    // Everything on the root filesystem goes: no rebuild without saying so.
    if (!values.yes) throw usageError(t('usage.rebuildYes'), cmd);
    const { client } = await connect();
    const s = await resolveServer(client, ref!);
    await follow(cmd, values, output, s.id, s.name, await client.rebuildServer(s.id, image));
  },
  async 'reset-password'(args: string[]) {
    const cmd = 'kumulus server reset-password';
    const { values, positionals, output, help } = parseCommand(args, waitOptions, cmd);
    if (help) return void process.stdout.write(pick(serverLifeHelp) + '\n');
    const [ref] = takePositionals(positionals, ['SERVER'], cmd);
    const { client } = await connect();
    const s = await resolveServer(client, ref!);
    const reset = await client.resetServerPassword(s.id);
    if (output === 'json') {
      // The password is in the answer only: print it with the finished operation.
      const op = values['no-wait'] ? reset.operation : await followOperation(client, reset.operation, { timeoutSeconds: parseSeconds(values.timeout, 600, 'timeout', cmd), format: output, label: s.name });
      return printJson({ rootPassword: reset.rootPassword, operation: op });
    }
    await follow(cmd, values, output, s.id, s.name, reset.operation, () => say(t('server.newPassword', { name: s.name, password: reset.rootPassword })));
    if (values['no-wait']) say(t('server.newPassword', { name: s.name, password: reset.rootPassword }));
  },
};
