/**
 * `kumulus serve`: runs the control plane in embedded mode (SQLite + local LXC engine) until SIGINT/SIGTERM.
 */
import { parseCommand, takePositionals } from '../args.ts';
import { usageError } from '../errors.ts';
import { pick, t } from '../i18n.ts';
import { note } from '../output.ts';

// The same defaults as serve() itself, repeated here only to show them in --help.
const defaults = { dataDir: '/var/lib/kumulus', listen: '127.0.0.1:8080', bridge: 'kmbr0', nftTable: 'kumulus', network: '10.77.0.0/16' };

const help = {
  en: `Usage: kumulus serve [--data-dir DIR] [--listen HOST:PORT] [--bridge NAME] [--nft-table NAME] [--network CIDR]

Starts the Kumulus control plane in embedded mode: API, dashboard, reconcilers, SQLite store
and the local LXC engine, in this one process. SIGINT or SIGTERM drains in-flight work and stops.

Options:
  --data-dir DIR       where the database and images live (default ${defaults.dataDir})
  --listen HOST:PORT   address to listen on (default ${defaults.listen}; port 0 picks a free one)
  --bridge NAME        the Linux bridge of the default network (default ${defaults.bridge})
  --nft-table NAME     the nftables table for its NAT and filters (default ${defaults.nftTable})
  --network CIDR       the default network's range; the gateway is its first address (default ${defaults.network})

Environment (read only while the store is empty, to create the first operator):
  KUMULUS_BOOTSTRAP_TOKEN     becomes the operator's API token (at least 16 characters)
  KUMULUS_BOOTSTRAP_EMAIL     the operator's e-mail (default admin@kumulus.local)
  KUMULUS_BOOTSTRAP_PASSWORD  the operator's password, for the dashboard`,
  de: `Aufruf: kumulus serve [--data-dir VERZEICHNIS] [--listen HOST:PORT] [--bridge NAME] [--nft-table NAME] [--network CIDR]

Startet die Kumulus-Steuerung im eingebetteten Modus: API, Dashboard, Reconciler, SQLite-Speicher
und die lokale LXC-Engine in diesem einen Prozess. SIGINT oder SIGTERM beendet laufende Arbeit und stoppt.

Optionen:
  --data-dir VERZ.     wo Datenbank und Images liegen (Standard ${defaults.dataDir})
  --listen HOST:PORT   Adresse, auf der gelauscht wird (Standard ${defaults.listen}; Port 0 wählt einen freien)
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
    bridge: { type: 'string' },
    'nft-table': { type: 'string' },
    network: { type: 'string' },
  } as const;
  const { values, positionals, help: wantsHelp } = parseCommand(args, options, cmd);
  if (wantsHelp) return void process.stdout.write(pick(help) + '\n');
  takePositionals(positionals, [], cmd);
  const listen = values.listen ?? defaults.listen;
  // [v6]:port or host:port with a port number; anything else would fail later with a vaguer error.
  if (!/^(\[[0-9a-fA-F:.]+\]|[^:[\]\s]+):\d{1,5}$/.test(listen) || Number(listen.split(':').pop()) > 65535) {
    throw usageError(t('usage.badValue', { name: 'listen', value: listen, expected: 'HOST:PORT' }), cmd);
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
    listen,
    bootstrapToken: env.KUMULUS_BOOTSTRAP_TOKEN || undefined,
    bootstrapEmail: env.KUMULUS_BOOTSTRAP_EMAIL || undefined,
    bootstrapPassword: env.KUMULUS_BOOTSTRAP_PASSWORD || undefined,
    bridge: values.bridge,
    nftTable: values['nft-table'],
    network,
    log: true,
  });
  note(t('serve.listening', { url: server.url }));
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
