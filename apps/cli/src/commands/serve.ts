/**
 * `kumulus serve`: runs the control plane in embedded mode (SQLite + local LXC engine) until SIGINT/SIGTERM.
 */
import { hostname } from 'node:os';
import { parseCommand, takePositionals } from '../args.ts';
import { readFileSync } from 'node:fs';
import { CliError, Exit, usageError } from '../errors.ts';
import { language, pick, t } from '../i18n.ts';
import { normalizeFingerprint } from '../tls-pin.ts';
import { note } from '../output.ts';

// The same defaults as serve() itself, repeated here only to show them in --help.
// 8443, not Proxmox VE's 8006: Kumulus may run on a Proxmox node, where pveproxy holds 8006.
const defaults = { dataDir: '/var/lib/kumulus', listen: '127.0.0.1:8080', tlsListen: ':8443', bridge: 'kmbr0', nftTable: 'kumulus', network: '10.77.0.0/16' };

const help = {
  en: `Usage: kumulus serve [--data-dir DIR] [--tls-listen HOST:PORT] [--listen HOST:PORT] [--bridge NAME] [--nft-table NAME] [--network CIDR]

Starts the Kumulus control plane in embedded mode: API, dashboard, reconcilers, SQLite store
and the local LXC engine, in this one process. SIGINT or SIGTERM drains in-flight work and stops.

Other machines reach it over HTTPS with the certificate in DIR/tls/cert.pem and key.pem: a
self-signed one is made on first start (its SHA-256 fingerprint is printed); put your own there
and restart to use it. Plain HTTP is for this host only (the CLI and scripts on it).

Options:
  --data-dir DIR       where the database, images and certificate live (default ${defaults.dataDir})
  --tls-listen HOST:PORT  HTTPS address (default ${defaults.tlsListen}: every address of the host); off for none
  --listen HOST:PORT   plain HTTP address, loopback only (default ${defaults.listen}); off for none;
                       port 0 picks a free one
  --insecure-http      allow plain HTTP on an address other machines reach (behind a TLS proxy)
  --webhooks-allow-private  let webhooks deliver to loopback and private addresses; off by default, as a
                       tenant's URL would otherwise reach services inside your network (SSRF)
  --monitors-allow-private  let tenants' uptime monitors check loopback and private addresses (same reason)
  --bridge NAME        the Linux bridge of the default network (default ${defaults.bridge})
  --nft-table NAME     the nftables table for its NAT and filters (default ${defaults.nftTable})
  --network CIDR       the default network's range; the gateway is its first address (default ${defaults.network})
  --store URL          the store: sqlite:FILE (default DIR/store/kumulus.db) or postgres://USER:PASS@HOST/DB
                       (also KUMULUS_STORE_URL); pending migrations are applied at start

Proxmox VE (instead of the local host; registered in the store and used on every later start):
  --proxmox-url URL           https://NODE:8006 of any node of the cluster
  --proxmox-token-id ID       the API token, user@realm!tokenid; its secret in KUMULUS_PROXMOX_TOKEN_SECRET
  --proxmox-token-secret-file FILE  or read the secret from FILE
  --proxmox-fingerprint FP    pin the node certificate's SHA-256 fingerprint (self-signed clusters)
  --proxmox-ca FILE           or trust the cluster's CA (/etc/pve/pve-root-ca.pem)
  --proxmox-bridge NAME       bridge of the default network on every node (default vmbr0)
  --proxmox-storage ID        storage for root filesystems (default local-lvm)
  --secret-key-file FILE      key that seals the token secret in the store (default DIR/secret.key); keep it
                              out of database backups

Environment (read only while the store is empty, to create the first operator):
  KUMULUS_BOOTSTRAP_TOKEN     becomes the operator's API token (at least 16 characters)
  KUMULUS_BOOTSTRAP_EMAIL     the operator's e-mail (default admin@kumulus.local)
  KUMULUS_BOOTSTRAP_PASSWORD  the operator's password, for the dashboard

Billing (environment, since the SMTP URL may carry a password):
  KUMULUS_SMTP_URL            SMTP server for credit warnings, e.g. smtps://user:pass@mail.example.org:465
                              (without it, tenants get the warnings in the dashboard only)
  KUMULUS_MAIL_FROM           their sender (default Kumulus <kumulus@HOSTNAME>)
  KUMULUS_DUNNING_WARN_DAYS   days of credit left that warn, comma-separated (default 7,1)
  KUMULUS_DUNNING_GRACE_DAYS  days a suspended tenant keeps its resources before deletion (default 14)

Prometheus metrics at /metrics (not served unless one of these is set; both may be):
  KUMULUS_METRICS_TOKEN       the bearer token a scraper sends (at least 16 characters)
  KUMULUS_METRICS_BASIC_AUTH  or USER:PASSWORD for HTTP basic auth
  --metrics-token-file FILE   read the token from FILE instead
  --metrics-basic-auth-file FILE  read USER:PASSWORD from FILE instead`,
  de: `Aufruf: kumulus serve [--data-dir VERZEICHNIS] [--tls-listen HOST:PORT] [--listen HOST:PORT] [--bridge NAME] [--nft-table NAME] [--network CIDR]

Startet die Kumulus-Steuerung im eingebetteten Modus: API, Dashboard, Reconciler, SQLite-Speicher
und die lokale LXC-Engine in diesem einen Prozess. SIGINT oder SIGTERM beendet laufende Arbeit und stoppt.

Andere Rechner erreichen sie über HTTPS mit dem Zertifikat in VERZ./tls/cert.pem und key.pem: beim
ersten Start wird ein selbstsigniertes erzeugt (sein SHA-256-Fingerabdruck wird ausgegeben); legen
Sie Ihr eigenes dorthin und starten Sie neu, um es zu verwenden. HTTP ist nur für diesen Rechner
(die CLI und Skripte darauf).

Optionen:
  --data-dir VERZ.     wo Datenbank, Images und Zertifikat liegen (Standard ${defaults.dataDir})
  --tls-listen HOST:PORT  HTTPS-Adresse (Standard ${defaults.tlsListen}: jede Adresse des Rechners); off für keine
  --listen HOST:PORT   HTTP-Adresse, nur Loopback (Standard ${defaults.listen}); off für keine;
                       Port 0 wählt einen freien
  --insecure-http      HTTP auch auf einer Adresse erlauben, die andere Rechner erreichen (hinter einem TLS-Proxy)
  --webhooks-allow-private  Webhooks an Loopback- und private Adressen zustellen lassen; standardmäßig aus, da die URL
                       eines Mandanten sonst Dienste in Ihrem Netz erreichen könnte (SSRF)
  --monitors-allow-private  Verfügbarkeitsmonitore von Mandanten Loopback- und private Adressen prüfen lassen (derselbe Grund)
  --bridge NAME        Linux-Bridge des Standardnetzes (Standard ${defaults.bridge})
  --nft-table NAME     nftables-Tabelle für dessen NAT und Filter (Standard ${defaults.nftTable})
  --network CIDR       Adressbereich des Standardnetzes; das Gateway ist seine erste Adresse (Standard ${defaults.network})
  --store URL          der Speicher: sqlite:DATEI (Standard VERZ./store/kumulus.db) oder postgres://NUTZER:PASS@HOST/DB
                       (auch KUMULUS_STORE_URL); ausstehende Migrationen werden beim Start angewandt

Proxmox VE (statt des lokalen Rechners; im Speicher registriert und bei jedem späteren Start verwendet):
  --proxmox-url URL           https://KNOTEN:8006 eines beliebigen Knotens des Clusters
  --proxmox-token-id ID       das API-Token, user@realm!tokenid; sein Geheimnis in KUMULUS_PROXMOX_TOKEN_SECRET
  --proxmox-token-secret-file DATEI  oder das Geheimnis aus DATEI lesen
  --proxmox-fingerprint FP    den SHA-256-Fingerabdruck des Knotenzertifikats festlegen (selbstsignierte Cluster)
  --proxmox-ca DATEI          oder der CA des Clusters vertrauen (/etc/pve/pve-root-ca.pem)
  --proxmox-bridge NAME       Bridge des Standardnetzes auf jedem Knoten (Standard vmbr0)
  --proxmox-storage ID        Speicher für Wurzeldateisysteme (Standard local-lvm)
  --secret-key-file DATEI     Schlüssel, der das Token-Geheimnis im Speicher versiegelt (Standard VERZ./secret.key);
                              halten Sie ihn aus Datenbanksicherungen heraus

Umgebung (nur bei leerem Speicher gelesen, um den ersten Betreiber anzulegen):
  KUMULUS_BOOTSTRAP_TOKEN     wird sein API-Token (mindestens 16 Zeichen)
  KUMULUS_BOOTSTRAP_EMAIL     seine E-Mail-Adresse (Standard admin@kumulus.local)
  KUMULUS_BOOTSTRAP_PASSWORD  sein Passwort, für das Dashboard

Abrechnung (Umgebung, da die SMTP-URL ein Passwort enthalten kann):
  KUMULUS_SMTP_URL            SMTP-Server für Guthabenwarnungen, z. B. smtps://user:pass@mail.example.org:465
                              (ohne ihn erhalten Mandanten die Warnungen nur im Dashboard)
  KUMULUS_MAIL_FROM           deren Absender (Standard Kumulus <kumulus@HOSTNAME>)
  KUMULUS_DUNNING_WARN_DAYS   Tage Restguthaben, die warnen, durch Komma getrennt (Standard 7,1)
  KUMULUS_DUNNING_GRACE_DAYS  Tage, die ein gesperrter Mandant seine Ressourcen vor dem Löschen behält (Standard 14)

Prometheus-Metriken unter /metrics (nur bereitgestellt, wenn eines davon gesetzt ist; beide sind möglich):
  KUMULUS_METRICS_TOKEN       das Bearer-Token, das ein Scraper sendet (mindestens 16 Zeichen)
  KUMULUS_METRICS_BASIC_AUTH  oder NUTZER:PASSWORT für HTTP-Basic-Auth
  --metrics-token-file DATEI  das Token stattdessen aus DATEI lesen
  --metrics-basic-auth-file DATEI  NUTZER:PASSWORT stattdessen aus DATEI lesen`,
};

/** Runs `kumulus serve`. */
export async function runServe(args: string[]): Promise<void> {
  const cmd = 'kumulus serve';
  const options = {
    'data-dir': { type: 'string' },
    listen: { type: 'string' },
    'tls-listen': { type: 'string' },
    'insecure-http': { type: 'boolean' },
    'webhooks-allow-private': { type: 'boolean' },
    'monitors-allow-private': { type: 'boolean' },
    bridge: { type: 'string' },
    'nft-table': { type: 'string' },
    network: { type: 'string' },
    store: { type: 'string' },
    'proxmox-url': { type: 'string' },
    'proxmox-token-id': { type: 'string' },
    'proxmox-token-secret-file': { type: 'string' },
    'proxmox-fingerprint': { type: 'string' },
    'proxmox-ca': { type: 'string' },
    'proxmox-bridge': { type: 'string' },
    'proxmox-storage': { type: 'string' },
    'secret-key-file': { type: 'string' },
    'metrics-token-file': { type: 'string' },
    'metrics-basic-auth-file': { type: 'string' },
  } as const;
  const { values, positionals, help: wantsHelp } = parseCommand(args, options, cmd);
  if (wantsHelp) return void process.stdout.write(pick(help) + '\n');
  takePositionals(positionals, [], cmd);
  const { parseListen } = await import('@kumulus/server/src/http/listeners.ts');
  const { isLoopbackHost } = await import('@kumulus/server/src/tls/host-names.ts');
  // [v6]:port, host:port or :port with a port number; anything else would fail later with a vaguer error.
  const address = (name: 'listen' | 'tls-listen', fallback: string) => {
    const value = values[name] ?? fallback;
    if (value === 'off') return undefined;
    try {
      return { value, spec: parseListen(value) };
    } catch {
      throw usageError(t('usage.badValue', { name, value, expected: 'HOST:PORT, [IPv6]:PORT, :PORT or off' }), cmd);
    }
  };
  const plain = address('listen', defaults.listen);
  const tls = address('tls-listen', defaults.tlsListen);
  if (!plain && !tls) throw usageError(t('serve.nothingToListen'), cmd);
  if (plain && !values['insecure-http'] && !(plain.spec.host && isLoopbackHost(plain.spec.host))) {
    throw usageError(t('serve.plainNotLoopback', { listen: plain.value }), cmd);
  }
  // Several control planes (or a test beside a real one) on one host need their own bridge, table and range.
  const network = values.network === undefined ? undefined : parseNetwork(values.network, cmd);
  if (values.bridge !== undefined && !/^[a-zA-Z0-9_-]{1,15}$/.test(values.bridge)) {
    throw usageError(t('usage.badValue', { name: 'bridge', value: values.bridge, expected: 'an interface name of up to 15 characters' }), cmd);
  }
  if (values['nft-table'] !== undefined && !/^[a-zA-Z][a-zA-Z0-9_]{0,31}$/.test(values['nft-table'])) {
    throw usageError(t('usage.badValue', { name: 'nft-table', value: values['nft-table'], expected: 'letters, digits, _' }), cmd);
  }
  const env = process.env;
  const proxmox = proxmoxOptions(values, env, cmd);
  const store = values.store ?? (env.KUMULUS_STORE_URL || undefined);
  if (store !== undefined && !/^(sqlite:|postgres(ql)?:\/\/)/.test(store)) throw usageError(t('usage.badValue', { name: 'store', value: store, expected: 'sqlite:FILE or postgres://…' }), cmd);
  // Loaded only for this command, so that the client commands start fast without the server's code.
  const { serve } = await import('@kumulus/server/src/serve.ts');
  const server = await serve({
    dataDir: values['data-dir'] ?? defaults.dataDir,
    listen: plain?.value,
    tlsListen: tls?.value,
    insecureHttp: values['insecure-http'],
    webhooksAllowPrivateUrls: values['webhooks-allow-private'],
    monitorsAllowPrivateTargets: values['monitors-allow-private'],
    bootstrapToken: env.KUMULUS_BOOTSTRAP_TOKEN || undefined,
    bootstrapEmail: env.KUMULUS_BOOTSTRAP_EMAIL || undefined,
    bootstrapPassword: env.KUMULUS_BOOTSTRAP_PASSWORD || undefined,
    bridge: values.bridge,
    nftTable: values['nft-table'],
    network,
    storeUrl: store,
    ...(proxmox ? { proxmox } : {}),
    ...(values['secret-key-file'] ? { secretKeyFile: values['secret-key-file'] } : {}),
    log: true,
    ...(env.KUMULUS_SMTP_URL ? { smtp: { url: env.KUMULUS_SMTP_URL, from: env.KUMULUS_MAIL_FROM || `Kumulus <kumulus@${hostname()}>` } } : {}),
    dunning: dunningFromEnv(env, cmd),
    metrics: metricsAuth(values, env, cmd),
  }).catch(async (err: unknown) => {
    // A refused cluster says what is wrong in the operator's language, not as a stack trace.
    const { DomainError } = await import('@kumulus/server/src/lib/errors.ts');
    const { message } = await import('@kumulus/server/src/lib/messages.ts');
    if (err instanceof DomainError) throw new CliError(Exit.unexpected, err.code, message(language, err.code, err.params));
    throw err;
  });
  if (proxmox) note(t('serve.proxmox', { url: proxmox.url, tokenId: proxmox.tokenId }));
  if (server.tls) {
    const { lanUrl, fingerprint, certFile, generated, validTo } = server.tls;
    note(t('serve.listeningTls', { url: lanUrl }));
    note(t('serve.fingerprint', { fingerprint }));
    if (generated) note(t('serve.certGenerated', { file: certFile }));
    // A month ahead, so that an operator who reads the log at start has time to act.
    if (validTo.getTime() - Date.now() < 30 * 86_400_000) note(t('serve.certExpiring', { file: certFile, date: validTo.toISOString().slice(0, 10) }));
  }
  if (plain) note(t('serve.listening', { url: server.url }));
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    // A second signal means "now": the first close() may be stuck on a hung engine call.
    if (stopping) process.exit(1);
    stopping = true;
    note(`${signal}: ${t('serve.stopping')}`);
    try {
      await server.close();
    } catch (err) {
      console.error(err);
      process.exit(1);
    }
    note(t('serve.stopped'));
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

// An IPv4 range such as 10.77.0.0/16; the gateway (the bridge's own address) is the first host in it.
function parseNetwork(value: string, cmd: string): { cidr: string; gateway: string } {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
  const octets = m ? m.slice(1, 5).map(Number) : [];
  const prefix = m ? Number(m[5]) : -1;
  if (!m || octets.some((o) => o > 255) || prefix < 8 || prefix > 30) {
    throw usageError(t('usage.badValue', { name: 'network', value, expected: 'an IPv4 CIDR from /8 to /30' }), cmd);
  }
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  const base = address - (address % size);
  const gateway = base + 1;
  const dotted = [24, 16, 8, 0].map((shift) => Math.floor(gateway / 2 ** shift) % 256).join('.');
  const baseDotted = [24, 16, 8, 0].map((shift) => Math.floor(base / 2 ** shift) % 256).join('.');
  return { cidr: `${baseDotted}/${prefix}`, gateway: dotted };
}

// The --proxmox-* flags as the engine's options; none given is the local host (or a cluster registered before).
function proxmoxOptions(v: Record<string, string | boolean | undefined>, env: NodeJS.ProcessEnv, cmd: string) {
  const url = v['proxmox-url'] as string | undefined;
  const tokenId = v['proxmox-token-id'] as string | undefined;
  const secretFile = v['proxmox-token-secret-file'] as string | undefined;
  const any = Object.keys(v).some((k) => k.startsWith('proxmox-') && v[k] !== undefined);
  if (!any) return undefined;
  const tokenSecret = secretFile ? readFileSync(secretFile, 'utf8').trim() : env.KUMULUS_PROXMOX_TOKEN_SECRET;
  if (!url || !tokenId || !tokenSecret) throw usageError(t('serve.proxmoxIncomplete'), cmd);
  if (!/^https:\/\/[^/]+/.test(url)) throw usageError(t('usage.badValue', { name: 'proxmox-url', value: url, expected: 'https://NODE:8006' }), cmd);
  if (!/^[^@!\s]+@[^@!\s]+![A-Za-z][A-Za-z0-9._-]*$/.test(tokenId)) throw usageError(t('usage.badValue', { name: 'proxmox-token-id', value: tokenId, expected: 'user@realm!tokenid' }), cmd);
  const fp = v['proxmox-fingerprint'] as string | undefined;
  const fingerprint = fp === undefined ? undefined : normalizeFingerprint(fp);
  if (fp !== undefined && !fingerprint) throw usageError(t('usage.badValue', { name: 'proxmox-fingerprint', value: fp, expected: 'a SHA-256 fingerprint (AA:BB:… or 64 hex digits)' }), cmd);
  const caFile = v['proxmox-ca'] as string | undefined;
  return {
    url,
    tokenId,
    tokenSecret,
    ...(fingerprint ? { fingerprint } : {}),
    ...(caFile ? { ca: readFileSync(caFile, 'utf8') } : {}),
    ...(v['proxmox-bridge'] ? { bridge: v['proxmox-bridge'] as string } : {}),
    ...(v['proxmox-storage'] ? { rootStorage: v['proxmox-storage'] as string } : {}),
  };
}

/** Dunning's thresholds and grace period from the environment; a bad value is a usage error, not a silent default. */
function dunningFromEnv(env: NodeJS.ProcessEnv, cmd: string): { warnAtSeconds?: number[]; graceMs?: number } {
  const days = (name: string, text: string) => {
    const n = Number(text);
    if (!text.trim() || !Number.isFinite(n) || n <= 0) throw usageError(t('usage.badEnv', { name, value: text, expected: language === 'de' ? 'eine positive Zahl von Tagen' : 'a positive number of days' }), cmd);
    return n * 86_400;
  };
  const out: { warnAtSeconds?: number[]; graceMs?: number } = {};
  if (env.KUMULUS_DUNNING_WARN_DAYS) out.warnAtSeconds = env.KUMULUS_DUNNING_WARN_DAYS.split(',').map((d) => days('KUMULUS_DUNNING_WARN_DAYS', d));
  if (env.KUMULUS_DUNNING_GRACE_DAYS) out.graceMs = days('KUMULUS_DUNNING_GRACE_DAYS', env.KUMULUS_DUNNING_GRACE_DAYS) * 1000;
  return out;
}

/** Who may scrape /metrics, from the files named or the environment; a credential too weak to guess at is a usage error. */
function metricsAuth(v: Record<string, string | boolean | undefined>, env: NodeJS.ProcessEnv, cmd: string) {
  const fromFile = (name: string) => (v[name] ? readFileSync(v[name] as string, 'utf8').trim() : undefined);
  const token = fromFile('metrics-token-file') ?? (env.KUMULUS_METRICS_TOKEN || undefined);
  const basic = fromFile('metrics-basic-auth-file') ?? (env.KUMULUS_METRICS_BASIC_AUTH || undefined);
  if (token !== undefined && token.length < 16) throw usageError(t('usage.badEnv', { name: 'KUMULUS_METRICS_TOKEN', value: '…', expected: language === 'de' ? 'mindestens 16 Zeichen' : 'at least 16 characters' }), cmd);
  const colon = basic?.indexOf(':') ?? -1;
  if (basic !== undefined && (colon < 1 || colon === basic.length - 1)) throw usageError(t('usage.badEnv', { name: 'KUMULUS_METRICS_BASIC_AUTH', value: '…', expected: language === 'de' ? 'NUTZER:PASSWORT' : 'USER:PASSWORD' }), cmd);
  return { ...(token ? { token } : {}), ...(basic ? { basicAuth: { username: basic.slice(0, colon), password: basic.slice(colon + 1) } } : {}) };
}
