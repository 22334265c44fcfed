/**
 * `kumulus server list|show|start|stop|reboot|delete` (create lives in server-create.ts, the other
 * actions in server-life.ts).
 */
import type { ServerAction } from '@kumulus/api';
import { dispatch, fetchList, statusListOptions, parseCommand, parseSeconds, takePositionals } from '../args.ts';
import { labelCommand } from '../label-command.ts';
import { connect } from '../config.ts';
import { pick, t } from '../i18n.ts';
import { emit, printJson, say } from '../output.ts';
import { followOperation } from '../progress.ts';
import { createServer } from './server-create.ts';
import { runServerNic } from './server-nic.ts';
import { serverLifeCommands, serverLifeHelp } from './server-life.ts';
import { printServer, printServerTable, resolveServer } from './server-view.ts';

/** The help of `kumulus server`, shared by its subcommands. */
export const serverHelp = {
  en: `Usage: kumulus server <command> [options]

Commands:
  create --name NAME --plan PLAN --image IMAGE [...]   creates a server (see kumulus server create --help)
  list [--sort name:asc|created:desc…] [-l SELECTOR] [--status PHASE,…]
                                                       your servers, sorted, only those whose labels match
                                                       (env=prod,!legacy) and in those phases (Running,Stopped)
  show SERVER                                          one server: spec, phase, conditions
  start SERVER                                         powers a server on
  stop SERVER                                          shuts a server down (kills it if it has not after 30 s)
  reboot SERVER                                        restarts a server
  label SERVER KEY=VALUE… [-r KEY]…                    sets and removes labels; the others stay
  delete SERVER                                        deletes a server and its disk
  nic list|add|remove|limit|traffic SERVER …           its NICs and their traffic (see kumulus server nic --help)

SERVER is a server's id (srv_…) or its name.

Options of start, stop, reboot and delete:
  --no-wait              return once the operation is accepted, without waiting for it
  --timeout SECONDS      how long to wait for the operation (default 600)
  -o, --output table|json
      json prints the API's objects: list → [Server], show → Server,
      start/stop/reboot/delete → the finished Operation.`,
  de: `Aufruf: kumulus server <Befehl> [Optionen]

Befehle:
  create --name NAME --plan TARIF --image IMAGE [...]  legt einen Server an (siehe kumulus server create --help)
  list [--sort name:asc|created:desc…] [-l SELEKTOR] [--status PHASE,…]
                                                       Ihre Server, sortiert, nur die mit passenden Labels
                                                       (env=prod,!legacy) und in diesen Phasen (Running,Stopped)
  show SERVER                                          ein Server: Spezifikation, Phase, Bedingungen
  start SERVER                                         schaltet einen Server ein
  stop SERVER                                          fährt einen Server herunter (beendet ihn hart, wenn er es nach 30 s nicht ist)
  reboot SERVER                                        startet einen Server neu
  label SERVER SCHLÜSSEL=WERT… [-r SCHLÜSSEL]…         setzt und entfernt Labels; die übrigen bleiben
  delete SERVER                                        löscht einen Server samt Disk
  nic list|add|remove|limit|traffic SERVER …           seine Netzwerkkarten und ihr Verkehr (siehe kumulus server nic --help)

SERVER ist die ID (srv_…) oder der Name eines Servers.

Optionen von start, stop, reboot und delete:
  --no-wait              zurückkehren, sobald der Vorgang angenommen ist, ohne auf ihn zu warten
  --timeout SEKUNDEN     wie lange auf den Vorgang gewartet wird (Standard 600)
  -o, --output table|json
      json gibt die Objekte der API aus: list → [Server], show → Server,
      start/stop/reboot/delete → der beendete Vorgang (Operation).`,
};

/** Runs `kumulus server …`. */
export function runServer(args: string[]): Promise<void> {
  return dispatch(args, 'kumulus server', `${pick(serverHelp)}\n\n${pick(serverLifeHelp)}`, {
    ...serverLifeCommands,
    create: createServer,
    list: listServers,
    show: showServer,
    start: (a) => changeServer(a, 'start'),
    stop: (a) => changeServer(a, 'stop'),
    reboot: (a) => changeServer(a, 'reboot'),
    delete: (a) => changeServer(a, 'delete'),
    nic: runServerNic,
    label: labelCommand({ group: 'kumulus server', arg: 'SERVER', help: () => pick(serverHelp), find: resolveServer, save: (c, s, labels) => c.updateServer(s.id, { labels }) }),
  });
}

async function listServers(args: string[]): Promise<void> {
  const cmd = 'kumulus server list';
  const { values, positionals, output, help } = parseCommand(args, statusListOptions, cmd);
  if (help) return void process.stdout.write(pick(serverHelp) + '\n');
  takePositionals(positionals, [], cmd);
  const { client } = await connect();
  const servers = await fetchList((q) => client.listServers(q), values, cmd);
  emit(output, servers, () => printServerTable(servers));
}

async function showServer(args: string[]): Promise<void> {
  const cmd = 'kumulus server show';
  const { positionals, output, help } = parseCommand(args, {}, cmd);
  if (help) return void process.stdout.write(pick(serverHelp) + '\n');
  const [ref] = takePositionals(positionals, ['SERVER'], cmd);
  const { client } = await connect();
  const server = await resolveServer(client, ref!);
  emit(output, server, () => printServer(server));
}

// start, stop, reboot and delete share one shape: accept an operation, then follow it to its end.
async function changeServer(args: string[], action: ServerAction | 'delete'): Promise<void> {
  const cmd = `kumulus server ${action}`;
  const options = { 'no-wait': { type: 'boolean' }, timeout: { type: 'string' } } as const;
  const { values, positionals, output, help } = parseCommand(args, options, cmd);
  if (help) return void process.stdout.write(pick(serverHelp) + '\n');
  const [ref] = takePositionals(positionals, ['SERVER'], cmd);
  const timeoutSeconds = parseSeconds(values.timeout, 600, 'timeout', cmd);
  const { client } = await connect();
  const server = await resolveServer(client, ref!);
  const accepted = action === 'delete' ? await client.deleteServer(server.id) : await client.serverAction(server.id, action);
  if (values['no-wait']) {
    return emit(output, accepted, () => say(t('server.actionAccepted', { op: accepted.id })));
  }
  const op = await followOperation(client, accepted, { timeoutSeconds, format: output, label: server.name });
  if (output === 'json') return printJson(op);
  if (action === 'delete') return say(t('server.deleted', { name: server.name, id: server.id }));
  const after = await client.getServer(server.id);
  say(t('server.actionDone', { name: after.name, phase: after.status.phase }));
}
