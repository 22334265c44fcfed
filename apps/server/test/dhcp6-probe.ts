/**
 * A DHCPv6 client of one question, for tests: sends an Information-Request (RFC 8415, what a
 * host that took its address by SLAAC asks for stateless configuration) out of the interface
 * named on the command line, to All_DHCP_Relay_Agents_and_Servers, and prints the Reply's
 * name servers (option 23) and search domains (option 24) as JSON. Run it inside a guest's
 * network namespace with the host's node: `nsenter -t PID -n node dhcp6-probe.ts eth0 MAC`.
 */
import { createSocket } from 'node:dgram';
import { randomBytes } from 'node:crypto';

const [iface = 'eth0', mac = '02:00:00:00:00:01'] = process.argv.slice(2);
const txid = randomBytes(3);
const option = (code: number, data: Buffer) => Buffer.concat([Buffer.from([code >> 8, code & 255, data.length >> 8, data.length & 255]), data]);
const duid = Buffer.concat([Buffer.from([0, 3, 0, 1]), Buffer.from(mac.split(':').map((h) => Number.parseInt(h, 16)))]); // DUID-LL, Ethernet
const request = Buffer.concat([
  Buffer.from([11]), // INFORMATION-REQUEST
  txid,
  option(1, duid), // Client Identifier
  option(6, Buffer.from([0, 23, 0, 24])), // Option Request: DNS servers, domain search list
  option(8, Buffer.from([0, 0])), // Elapsed Time
]);

/** Decodes DNS wire-format names (RFC 1035 labels, no compression in DHCPv6). */
function names(b: Buffer): string[] {
  const out: string[] = [];
  let labels: string[] = [];
  for (let i = 0; i < b.length; ) {
    const len = b[i]!;
    i++;
    if (len === 0) {
      out.push(labels.join('.'));
      labels = [];
      continue;
    }
    labels.push(b.subarray(i, i + len).toString('ascii'));
    i += len;
  }
  return out;
}

const sock = createSocket({ type: 'udp6', reuseAddr: true });
const timer = setTimeout(() => {
  console.log(JSON.stringify({ error: 'no reply' }));
  process.exit(1);
}, 4000);
sock.on('message', (msg) => {
  if (msg[0] !== 7 || !msg.subarray(1, 4).equals(txid)) return; // REPLY to our transaction only
  const found: { type: number; dnsServers: string[]; domains: string[] } = { type: msg[0], dnsServers: [], domains: [] };
  for (let i = 4; i + 4 <= msg.length; ) {
    const code = msg.readUInt16BE(i);
    const len = msg.readUInt16BE(i + 2);
    const data = msg.subarray(i + 4, i + 4 + len);
    if (code === 23) for (let j = 0; j + 16 <= data.length; j += 16) found.dnsServers.push([...Array(8)].map((_, k) => data.readUInt16BE(j + 2 * k).toString(16)).join(':'));
    if (code === 24) found.domains.push(...names(data));
    i += 4 + len;
  }
  clearTimeout(timer);
  console.log(JSON.stringify(found));
  sock.close();
});
sock.bind(546, () => {
  // Resent once a second, as a client does while no Reply comes (the first may meet a cold neighbour cache).
  const send = () => sock.send(request, 547, `ff02::1:2%${iface}`);
  send();
  setInterval(send, 1000).unref();
});
