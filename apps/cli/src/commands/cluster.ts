/**
 * `kumulus cluster list|register|check|node|delete`: the Proxmox VE cluster this control plane drives
 * (operators). Registering checks the connection first and names missing privileges; the token secret is read
 * from KUMULUS_PROXMOX_TOKEN_SECRET or a file, never from the command line (where `ps` would show it).
 */
import { readFileSync } from 'node:fs';
import { ApiError, type Cluster, clusterApi } from '@kumulus/api';
import { dispatch, parseCommand, requireOption, takePositionals } from '../args.ts';
import { connect } from '../config.ts';
import { apiErrorInCliWords, usageError } from '../errors.ts';
import { pick, t } from '../i18n.ts';
import { emit, headers, printTable, say } from '../output.ts';

const groupHelp = {
  en: `Usage: kumulus cluster <command> [options]

Commands:
  list                                              registered clusters with their nodes and last check
  register NAME --url https://NODE:8006 --token-id USER@REALM!ID [--token-secret-file FILE]
           [--fingerprint AA:BB:… | --ca-file FILE]  checks the connection and privileges, then stores it
                                                    (the secret from KUMULUS_PROXMOX_TOKEN_SECRET or FILE)
  check CLUSTER                                     checks the connection again and discovers nodes
  node CLUSTER NODE [--role compute|storage|edge] [--label KEY=VALUE …]
                                                    sets what a node is for (only compute nodes get servers)
  delete CLUSTER                                    removes a registration (not while it holds servers)`,
  de: `Aufruf: kumulus cluster <Befehl> [Optionen]

Befehle:
  list                                              registrierte Cluster mit Knoten und letzter Prüfung
  register NAME --url https://KNOTEN:8006 --token-id BENUTZER@REALM!ID [--token-secret-file DATEI]
           [--fingerprint AA:BB:… | --ca-file DATEI] prüft Verbindung und Rechte, dann wird er gespeichert
                                                    (das Geheimnis aus KUMULUS_PROXMOX_TOKEN_SECRET oder DATEI)
  check CLUSTER                                     prüft die Verbindung erneut und findet Knoten
  node CLUSTER KNOTEN [--role compute|storage|edge] [--label SCHLÜSSEL=WERT …]
                                                    legt fest, wofür ein Knoten da ist (nur compute-Knoten erhalten Server)
  delete CLUSTER                                    entfernt eine Registrierung (nicht, solange sie Server trägt)`,
};

const health = (c: Cluster) => (c.health.ok ? t('cluster.ok') : `${t('cluster.problem')}: ${c.health.problems.map((p) => p.subject).join(', ')}`);
const nodes = (c: Cluster) => c.nodes.map((n) => `${n.name}${n.online ? '' : '!'}(${n.role})`).join(' ');
const row = (c: Cluster) => [c.name, c.url, c.tokenId, c.active ? t('cluster.active') : t('cluster.nextStart'), health(c), nodes(c)];
const cols = () => headers('col.name', 'col.url', 'col.token', 'col.driven', 'col.health', 'col.nodes');
const help = () => void process.stdout.write(pick(groupHelp) + '\n');

/** Runs `kumulus cluster …`. */
export function runCluster(args: string[]): Promise<void> {
  return dispatch(args, 'kumulus cluster', pick(groupHelp), { list, register, check, node, delete: remove });
}

async function list(args: string[]): Promise<void> {
  const { output, help: h } = parseCommand(args, {}, 'kumulus cluster list');
  if (h) return help();
  const { client } = await connect();
  const items = await clusterApi(client).list();
  emit(output, items, () => printTable(cols(), items.map(row)));
}

async function register(args: string[]): Promise<void> {
  const cmd = 'kumulus cluster register';
  const opts = { url: { type: 'string' }, 'token-id': { type: 'string' }, 'token-secret-file': { type: 'string' }, fingerprint: { type: 'string' }, 'ca-file': { type: 'string' } } as const;
  const { values, positionals, output, help: h } = parseCommand(args, opts, cmd);
  if (h) return help();
  const [name] = takePositionals(positionals, ['NAME'], cmd);
  const file = values['token-secret-file'];
  const tokenSecret = (file ? readFileSync(file, 'utf8') : (process.env.KUMULUS_PROXMOX_TOKEN_SECRET ?? '')).trim();
  if (!tokenSecret) throw usageError(t('cluster.noSecret'), cmd);
  const body = {
    name: name!,
    url: requireOption(values.url, 'url', cmd),
    tokenId: requireOption(values['token-id'], 'token-id', cmd),
    tokenSecret,
    ...(values.fingerprint ? { fingerprint: values.fingerprint } : {}),
    ...(values['ca-file'] ? { ca: readFileSync(values['ca-file'], 'utf8') } : {}),
  };
  const { client } = await connect();
  const made = await clusterApi(client)
    .register(body)
    .catch((e) => {
      throw e instanceof ApiError ? apiErrorInCliWords(e, { url: '--url', tokenId: '--token-id', tokenSecret: '--token-secret-file', fingerprint: '--fingerprint', ca: '--ca-file' }) : e;
    });
  emit(output, made, () => {
    printTable(cols(), [row(made)]);
    if (!made.active) say(t('cluster.restart'));
  });
}

async function check(args: string[]): Promise<void> {
  const { positionals, output, help: h } = parseCommand(args, {}, 'kumulus cluster check');
  if (h) return help();
  const [id] = takePositionals(positionals, ['CLUSTER'], 'kumulus cluster check');
  const { client } = await connect();
  const c = await clusterApi(client).check(id!);
  emit(output, c, () => {
    printTable(cols(), [row(c)]);
    for (const p of c.health.problems) say(`  - ${p.message}\n    ${p.fix}`);
  });
}

async function node(args: string[]): Promise<void> {
  const cmd = 'kumulus cluster node';
  const { values, positionals, output, help: h } = parseCommand(args, { role: { type: 'string' }, label: { type: 'string', multiple: true } } as const, cmd);
  if (h) return help();
  const [id, nodeName] = takePositionals(positionals, ['CLUSTER', 'NODE'], cmd);
  const role = values.role;
  if (role !== undefined && !['compute', 'storage', 'edge'].includes(role)) throw usageError(t('usage.badValue', { name: 'role', value: role, expected: 'compute, storage, edge' }), cmd);
  const labels = values.label?.length
    ? Object.fromEntries(
        values.label.map((l) => {
          const at = l.indexOf('=');
          if (at < 1) throw usageError(t('usage.badValue', { name: 'label', value: l, expected: 'KEY=VALUE' }), cmd);
          return [l.slice(0, at), l.slice(at + 1)];
        }),
      )
    : undefined;
  if (!role && !labels) throw usageError(t('cluster.nodeNothing'), cmd);
  const { client } = await connect();
  const c = await clusterApi(client).updateNode(id!, nodeName!, { ...(role ? { role: role as 'compute' | 'storage' | 'edge' } : {}), ...(labels ? { labels } : {}) });
  emit(output, c, () => printTable(cols(), [row(c)]));
}

async function remove(args: string[]): Promise<void> {
  const { positionals, output, help: h } = parseCommand(args, {}, 'kumulus cluster delete');
  if (h) return help();
  const [id] = takePositionals(positionals, ['CLUSTER'], 'kumulus cluster delete');
  const { client } = await connect();
  await clusterApi(client).delete(id!);
  emit(output, { deleted: id }, () => say(t('cluster.deleted', { name: id! })));
}
