/**
 * The named formats of PVE::JSONSchema (`format => 'pve-vmid'` …), each checked the way Proxmox VE's own
 * verifier does (pve-common src/PVE/JSONSchema.pm, pve-container, qemu-server). A format the emulator does
 * not know is not guessed at: the request is refused as an emulator gap, so a test fails loudly.
 */

/** A request the schema allows but the emulator cannot judge or serve; answered 501, never accepted. */
export class EmulatorGap extends Error {
  override readonly name = 'EmulatorGap';
}

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = `${OCTET}(?:\\.${OCTET}){3}`;
const H = '[0-9a-fA-F]{1,4}';
// Every compressed form of an IPv6 address (pve-common ParseUtils' IPV6RE, in one alternation).
const IPV6 = [
  `(?:${H}:){7}${H}`,
  `(?:${H}:){1,7}:`,
  `(?:${H}:){1,6}:${H}`,
  `(?:${H}:){1,5}(?::${H}){1,2}`,
  `(?:${H}:){1,4}(?::${H}){1,3}`,
  `(?:${H}:){1,3}(?::${H}){1,4}`,
  `(?:${H}:){1,2}(?::${H}){1,5}`,
  `${H}:(?::${H}){1,6}`,
  `:(?:(?::${H}){1,7}|:)`,
  `(?:${H}:){6}${IPV4}`,
  `::(?:ffff(?::0{1,4})?:)?${IPV4}`,
].join('|');
const DNS_LABEL = '[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?';
const full = (re: string, flags = '') => new RegExp(`^(?:${re})$`, flags);

const RE = {
  ipv4: full(IPV4),
  ipv6: full(IPV6),
  dns: full(`(?:${DNS_LABEL}\\.)*${DNS_LABEL}`),
  node: full(DNS_LABEL),
  vmid: /^[1-9][0-9]{2,8}$/,
  configid: /^[a-z][a-z0-9_-]+$/i,
  id: /^[a-z][a-z0-9\-_.]*[a-z0-9]$/i,
  tag: /^[a-z0-9_][a-z0-9_\-+.]*$/i,
  mac: /^[a-f0-9][02468ace](?::[a-f0-9]{2}){5}$/i,
  iface: /^[a-z][a-z0-9_]{1,20}(?:[:.]\d+)?$/i,
  size: /^(\d+(\.\d+)?)([KMGT](?:iB)?)?$/,
  urlencoded: /^[-%a-zA-Z0-9_.!~*'()]*$/,
  email: /^[\w+\-~]+(\.[\w+\-~]+)*@[a-zA-Z0-9-]+(\.[a-zA-Z0-9-]+)*$/,
};

function cidr(value: string, v: 4 | 6): boolean {
  const [ip, len, ...rest] = value.split('/');
  if (rest.length > 0 || ip === undefined || len === undefined || !/^\d+$/.test(len)) return false;
  return v === 4 ? RE.ipv4.test(ip) && Number(len) <= 32 : RE.ipv6.test(ip) && Number(len) <= 128;
}

const fail = (message: string): never => {
  throw new Error(message);
};

/** The verifiers by format name; each throws PVE's own message for a bad value. */
const FORMATS: Record<string, (v: string) => void> = {
  string: () => {},
  'pve-node': (v) => RE.node.test(v) || fail('value does not look like a valid node name'),
  'pve-vmid': (v) => RE.vmid.test(v) || fail('value does not look like a valid VM ID'),
  'pve-configid': (v) => RE.configid.test(v) || fail(`invalid configuration ID '${v}'`),
  'pve-storage-id': (v) => (v.length >= 2 && RE.id.test(v)) || fail(`storage ID '${v}' contains illegal characters`),
  'pve-poolid': (v) => /^[A-Za-z0-9_\-.]+(?:\/[A-Za-z0-9_\-.]+){0,2}$/.test(v) || fail(`invalid pool ID '${v}'`),
  'pve-bridge-id': (v) => /^[-_.\w\d]+$/.test(v) || fail(`invalid bridge ID '${v}'`),
  'pve-tag': (v) => RE.tag.test(v) || fail(`invalid tag '${v}'`),
  'mac-addr': (v) => RE.mac.test(v) || fail('value does not look like a valid unicast MAC address'),
  ipv4: (v) => RE.ipv4.test(v) || fail('value does not look like a valid IPv4 address'),
  ipv6: (v) => RE.ipv6.test(v) || fail('value does not look like a valid IPv6 address'),
  ip: (v) => RE.ipv4.test(v) || RE.ipv6.test(v) || fail('value does not look like a valid IP address'),
  CIDRv4: (v) => cidr(v, 4) || fail('value does not look like a valid IPv4 CIDR network'),
  CIDRv6: (v) => cidr(v, 6) || fail('value does not look like a valid IPv6 CIDR network'),
  CIDR: (v) => cidr(v, 4) || cidr(v, 6) || fail('value does not look like a valid CIDR network'),
  'pve-ipv4-config': (v) => /^(?:dhcp|manual)$/.test(v) || cidr(v, 4) || fail('value does not look like a valid ipv4 network configuration'),
  'pve-ipv6-config': (v) => /^(?:auto|dhcp|manual)$/.test(v) || cidr(v, 6) || fail('value does not look like a valid ipv6 network configuration'),
  'dns-name': (v) => RE.dns.test(v) || fail('value does not look like a valid DNS name'),
  address: (v) => RE.ipv4.test(v) || RE.ipv6.test(v) || RE.dns.test(v) || fail(`value does not look like a valid address: ${v}`),
  'pve-iface': (v) => RE.iface.test(v) || fail(`invalid network interface name '${v}'`),
  'disk-size': (v) => RE.size.test(v) || fail(`value does not look like a valid disk size: ${v}`),
  urlencoded: (v) => RE.urlencoded.test(v) || fail(`invalid urlencoded string: ${v}`),
  email: (v) => RE.email.test(v) || fail(`value does not look like a valid email address`),
  // pve-storage: "STORAGE:VOLUME".
  'pve-volume-id': (v) => /^([a-z][a-z0-9\-_.]*[a-z0-9]):(.+)$/i.test(v) || fail(`unable to parse volume ID '${v}'`),
  // pve-container: a volume id, a host path, or (on create) STORAGE:SIZE_IN_GiB; never `..` segments or /dev.
  'pve-lxc-mp-string': (v) => (!/\/\.\.?\/|\/\.\.?$|^\/dev\//.test(v) && v.length > 0) || fail(`invalid mount point '${v}'`),
  // pve-container: an IP address, an IPv6 link-local one with `%iface`.
  'lxc-ip-with-ll-iface': (v) => {
    const [ip, iface, ...rest] = v.split('%');
    if (rest.length > 0 || ip === undefined) fail(`invalid IP address ${v}`);
    if (iface !== undefined && !(RE.ipv6.test(ip!) && /^fe80:/i.test(ip!) && RE.iface.test(iface))) fail(`invalid link-local address ${v}`);
    if (!RE.ipv4.test(ip!) && !RE.ipv6.test(ip!)) fail(`invalid IP address ${v}`);
  },
  'pve-storage-content': (v) => ['images', 'rootdir', 'vztmpl', 'iso', 'backup', 'snippets', 'import', 'none'].includes(v) || fail(`invalid content type '${v}'`),
  'pve-task-status-type': (v) => ['ok', 'error', 'warning', 'unknown'].includes(v.toLowerCase()) || fail(`invalid status '${v}'`),
  'pve-realm': (v) => (v.length >= 2 && RE.id.test(v)) || fail(`realm ID '${v}' contains illegal characters`),
  'pve-userid': (v) => /^[^\s:/]{1,64}@[a-z][a-z0-9\-_.]*[a-z0-9]$/i.test(v) || fail(`value '${v}' does not look like a valid user name`),
  // qemu-server's ipconfig: ip=CIDR|dhcp, gw=IPv4, ip6=CIDR|auto|dhcp, gw6=IPv6 (PVE::QemuServer::parse_ipconfig).
  'pve-qm-ipconfig': (v) => {
    const seen = new Set<string>();
    for (const part of v.split(',')) {
      const [k, val, ...rest] = part.split('=');
      if (rest.length > 0 || val === undefined || seen.has(k!)) fail(`invalid format - unable to parse ipconfig '${v}'`);
      seen.add(k!);
      const ok = k === 'ip' ? val === 'dhcp' || cidr(val!, 4) : k === 'gw' ? RE.ipv4.test(val!) : k === 'ip6' ? /^(?:auto|dhcp)$/.test(val!) || cidr(val!, 6) : k === 'gw6' ? RE.ipv6.test(val!) : false;
      if (!ok) fail(`invalid format - invalid ${k} '${val}' in ipconfig`);
    }
    if (seen.has('gw') && !seen.has('ip')) fail('gateway specified without specifying an IP address');
  },
  'pve-startup-order': (v) =>
    v.split(',').every((p) => /^(?:order=)?\d+$|^(?:up|down)=\d+$/.test(p)) || fail('unable to parse startup options'),
};

/** PVE::Tools::split_list: a list separated by NULs when it holds one, else by commas, semicolons or blanks. */
export function splitList(value: string): string[] {
  if (value.includes('\0')) return value.split('\0').filter((x) => x !== '');
  return value
    .replace(/^[\s,;]+/, '')
    .split(/[\s,;]+/)
    .filter((x) => x !== '');
}

/** Checks a value against a named format (with PVE's `-list` and `-opt` suffixes); throws the verifier's message. */
export function checkNamedFormat(format: string, value: string): void {
  const m = /^(.*?)(?:-(list|opt))?$/.exec(format)!;
  const name = m[1]!;
  const kind = m[2] ?? 'none';
  const verify = FORMATS[name] ?? FORMATS[format];
  if (!verify) throw new EmulatorGap(`the emulator does not implement the format '${format}'`);
  if (FORMATS[format]) {
    verify(value);
    return;
  }
  if (kind === 'list') for (const v of splitList(value)) verify(v);
  else if (kind === 'opt') {
    if (value) verify(value);
  } else verify(value);
}
