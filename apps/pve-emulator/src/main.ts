/**
 * `npm run pve-emulator -- --listen HOST:PORT [--nodes N] [--log-requests FILE] [--task-ms MS]
 * [--fault-rate R --faults k1,k2] [--token user@realm!id=secret]`: the emulator on its own.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_TOKEN, PveEmulator } from './emulator.ts';
import { FAULT_KINDS, type FaultKind } from './faults.ts';

const { values } = parseArgs({
  options: {
    listen: { type: 'string', default: '127.0.0.1:8006' },
    nodes: { type: 'string', default: '1' },
    'log-requests': { type: 'string' },
    'task-ms': { type: 'string', default: '1000' },
    'fault-rate': { type: 'string', default: '0' },
    faults: { type: 'string', default: FAULT_KINDS.join(',') },
    token: { type: 'string' },
    schema: { type: 'string' },
  },
});
const m = /^(.*):(\d+)$/.exec(values.listen!);
if (!m) {
  console.error(`--listen wants HOST:PORT, not '${values.listen}'`);
  process.exit(2);
}
const kinds = values.faults!.split(',').filter(Boolean);
const unknown = kinds.filter((k) => !(FAULT_KINDS as readonly string[]).includes(k));
if (unknown.length > 0) {
  console.error(`unknown fault kinds: ${unknown.join(', ')} (known: ${FAULT_KINDS.join(', ')})`);
  process.exit(2);
}
let token = DEFAULT_TOKEN;
if (values.token) {
  const t = /^([^!]+![^=]+)=(.+)$/.exec(values.token);
  if (!t) {
    console.error('--token wants user@realm!tokenid=secret');
    process.exit(2);
  }
  token = { ...DEFAULT_TOKEN, id: t[1]!, secret: t[2]! };
}
const emulator = new PveEmulator({
  nodes: Number(values.nodes),
  taskMs: Number(values['task-ms']),
  logRequests: values['log-requests'],
  faults: { rate: Number(values['fault-rate']), kinds: kinds as FaultKind[] },
  tokens: [token],
  authFailDelayMs: 3000,
  ...(values.schema ? { schemaFile: values.schema } : {}),
});
const host = m[1]!.replace(/^\[|\]$/g, '');
const { url, fingerprint } = await emulator.listen(host, Number(m[2]));
console.log(`Proxmox VE emulator (schema ${emulator.schema.version}, ${emulator.state.nodes.size} node(s)) at ${url}/api2/json`);
console.log(`  token:       ${token.id}=${token.secret}`);
console.log(`  fingerprint: ${fingerprint}`);
const stop = () => {
  emulator.close().finally(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
