/**
 * `kumulus serve`: runs the control plane in embedded mode (SQLite + local LXC engine) until SIGINT/SIGTERM.
 */
import { parseCommand, takePositionals } from '../args.ts';
import { usageError } from '../errors.ts';
import { pick, t } from '../i18n.ts';
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
  --bridge NAME        the Linux bridge of the default network (default ${defaults.bridge})
  --nft-table NAME     the nftables table for its NAT and filters (default ${defaults.nftTable})
  --network CIDR       the default network's range; the gateway is its first address (default ${defaults.network})

Environment (read only while the store is empty, to create the first operator):
  KUMULUS_BOOTSTRAP_TOKEN     becomes the operator's API token (at least 16 characters)
  KUMULUS_BOOTSTRAP_EMAIL     the operator's e-mail (default admin@kumulus.local)
  KUMULUS_BOOTSTRAP_PASSWORD  the operator's password, for the dashboard`,
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
  --bridge NAME        Linux-Bridge des Standardnetzes (Standard ${defaults.bridge})
  --nft-table NAME     nftables-Tabelle für dessen NAT und Filter (Standard ${defaults.nftTable})
  --network CIDR       Adressbereich des Standardnetzes; das Gateway ist seine erste Adresse (Standard ${defaults.network})

Umgebung (nur bei leerem Speicher gelesen, um den ersten Betreiber anzulegen):
  KUMULUS_BOOTSTRAP_TOKEN     wird sein API-Token (mindestens 16 Zeichen)
  KUMULUS_BOOTSTRAP_EMAIL     seine E-Mail-Adresse (Standard admin@kumulus.local)
  KUMULUS_BOOTSTRAP_PASSWORD  sein Passwort, für das Dashboard`,
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
    bridge: { type: 'string' },
    'nft-table': { type: 'string' },
    network: { type: 'string' },
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
  // Loaded only for this command, so that the client commands start fast without the server's code.
  const { serve } = await import('@kumulus/server/src/serve.ts');
  const env = process.env;
  const server = await serve({
    dataDir: values['data-dir'] ?? defaults.dataDir,
    listen: plain?.value,
    tlsListen: tls?.value,
    insecureHttp: values['insecure-http'],
    webhooksAllowPrivateUrls: values['webhooks-allow-private'],
    bootstrapToken: env.KUMULUS_BOOTSTRAP_TOKEN || undefined,
    bootstrapEmail: env.KUMULUS_BOOTSTRAP_EMAIL || undefined,
    bootstrapPassword: env.KUMULUS_BOOTSTRAP_PASSWORD || undefined,
    bridge: values.bridge,
    nftTable: values['nft-table'],
    network,
    log: true,
  });
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
