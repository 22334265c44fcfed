/**
 * The Kumulus API's wire schemas (TypeBox → JSON Schema), shared by the server's validation,
 * the OpenAPI document, the typed client, the CLI and the dashboard.
 */
import { type Static, type TSchema, Type } from '@sinclair/typebox';

const Id = (prefix: string) => Type.String({ pattern: `^${prefix}_[0-9a-z]{20,32}$`, description: `${prefix}_… id` });
const Timestamp = Type.String({ format: 'date-time' });
const NAME_FORM = '[a-z0-9]([a-z0-9-]*[a-z0-9])?';
/** The pattern of a resource name, for validation messages that explain it. */
export const NAME_PATTERN = `^${NAME_FORM}$`;
/** A resource name: lower-case letters, digits and dashes, as in a DNS label. */
export const Name = Type.String({ minLength: 1, maxLength: 63, pattern: NAME_PATTERN });
/** A request field that names a resource: its name, or its id (`plan_…`) as the API's lists show it. */
export const NameOrId = (prefix: string) =>
  Type.String({ minLength: 1, maxLength: 63, pattern: `^(${NAME_FORM}|${prefix}_[0-9a-z]{20,32})$`, description: `name or id (${prefix}_…)` });

/** The body of every error answer. */
export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'stable machine-readable code, e.g. SERVER_NOT_FOUND' }),
      message: Type.String({ description: "what was wrong and what to do, in the caller's language" }),
      requestId: Type.String(),
      details: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
    }),
  },
  { $id: 'Error' },
);
export type ErrorBody = Static<typeof ErrorBody>;

/** Where a page sits in a list paged by `page`/`per_page` (as Hetzner Cloud's `meta.pagination`). */
export const Pagination = Type.Object({
  page: Type.Integer({ minimum: 1 }),
  perPage: Type.Integer({ minimum: 1 }),
  previousPage: Type.Union([Type.Integer(), Type.Null()]),
  nextPage: Type.Union([Type.Integer(), Type.Null()]),
  lastPage: Type.Integer({ minimum: 1 }),
  totalEntries: Type.Integer({ minimum: 0 }),
});
export type Pagination = Static<typeof Pagination>;

/**
 * A page of a list: in id order it pages by cursor (`nextCursor`); asked for by `page`/`per_page`,
 * or sorted by anything but id, it pages by number and says where it is in `meta.pagination`.
 */
export const Page = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]), meta: Type.Optional(Type.Object({ pagination: Pagination })) });
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
  meta?: { pagination: Pagination };
}
/** Query parameters of every list endpoint. */
export const ListQuery = Type.Object({
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
  order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')], { description: 'oldest (asc, default) or newest (desc) first' })),
  sort: Type.Optional(
    Type.String({
      maxLength: 200,
      description:
        'comma-separated sort keys, each `key`, `key:asc` or `key:desc` (e.g. `name:asc`, `created:desc`); every list knows `id` and `created`, most `name`; an unknown key answers SORT_KEY_INVALID naming the known ones. Sorted by anything but id, the list pages by `page`/`per_page`',
    }),
  ),
  page: Type.Optional(Type.Integer({ minimum: 1, description: 'page number (from 1), as Hetzner Cloud pages' })),
  per_page: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, description: 'entries per page (default 25)' })),
});
/** Query parameters of a list whose resources carry labels: ListQuery plus `label_selector`. */
export const LabelledListQuery = Type.Composite([
  ListQuery,
  Type.Object({ label_selector: Type.Optional(Type.String({ maxLength: 2000, description: 'only entries whose labels match, e.g. `env=prod,tier!=db,app in (a,b),!legacy`' })) }),
]);
export type LabelledListQuery = Static<typeof LabelledListQuery>;
export type ListQuery = Static<typeof ListQuery>;

/**
 * A labelled list that also filters by phase: `status` names one or more of `phases`,
 * comma-separated (e.g. `Running,Stopped`), as Hetzner Cloud filters by status.
 */
export function StatusListQuery(phase: { anyOf: { const: string }[] }, what: string) {
  const phases = phase.anyOf.map((l) => l.const);
  const one = `(${phases.join('|')})`;
  return Type.Composite([
    LabelledListQuery,
    Type.Object({ status: Type.Optional(Type.String({ pattern: `^${one}(,${one})*$`, description: `only ${what} in one of these phases, comma-separated (e.g. \`${phases.slice(0, 2).join(',')}\`)` })) }),
  ]);
}
/** The query of a list filtered by status. */
export type StatusListQuery = LabelledListQuery & { status?: string };

/** An amount of money in integer minor units (cents). */
export const Money = Type.Object({ amount: Type.Integer(), currency: Type.String({ minLength: 3, maxLength: 3 }) });
export type Money = Static<typeof Money>;

export const ServerKind = Type.Union([Type.Literal('container'), Type.Literal('vm')]);
export const Phase = Type.Union([
  Type.Literal('Pending'),
  Type.Literal('Provisioning'),
  Type.Literal('Running'),
  Type.Literal('Stopped'),
  Type.Literal('Deleting'),
  Type.Literal('Failed'),
]);
export type Phase = Static<typeof Phase>;

/** One aspect of a resource's observed state, as in Kubernetes conditions. */
export const Condition = Type.Object({
  type: Type.String(),
  status: Type.Union([Type.Literal('True'), Type.Literal('False'), Type.Literal('Unknown')]),
  reason: Type.String(),
  message: Type.String(),
  lastTransitionAt: Timestamp,
});
export type Condition = Static<typeof Condition>;

/** Read/write MB/s and IOPS limits the kernel enforces on a block device (a volume's, a root disk's); absent is unlimited. */
export const IoLimits = Type.Object(
  {
    readMBps: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, description: 'read MB/s (MiB)' })),
    writeMBps: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, description: 'write MB/s (MiB)' })),
    readIops: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000_000 })),
    writeIops: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000_000 })),
  },
  { additionalProperties: false },
);

export const Plan = Type.Object(
  {
    id: Id('plan'),
    name: Name,
    description: Type.String(),
    vcpus: Type.Integer({ minimum: 1 }),
    memoryMb: Type.Integer({ minimum: 16 }),
    diskGb: Type.Integer({ minimum: 1 }),
    priceHourly: Money,
    priceMonthly: Money,
    snapshotLimit: Type.Integer({ minimum: 0, description: 'how many snapshots one server of this plan may keep' }),
    diskQos: Type.Union([IoLimits, Type.Null()], { description: 'root-disk limits its servers get; null for none' }),
  },
  { $id: 'Plan' },
);
export type Plan = Static<typeof Plan>;
export const CreatePlan = Type.Object(
  {
    name: Name,
    description: Type.Optional(Type.String({ maxLength: 200 })),
    vcpus: Type.Integer({ minimum: 1, maximum: 256 }),
    memoryMb: Type.Integer({ minimum: 16, maximum: 4_194_304 }),
    diskGb: Type.Integer({ minimum: 1, maximum: 65_536 }),
    // Bounded so that the monthly price (× 730) stays an exact integer in JSON and in the store.
    priceHourly: Type.Object({ amount: Type.Integer({ minimum: 0, maximum: 1_000_000_000 }), currency: Type.String({ pattern: '^[A-Za-z]{3}$' }) }),
    snapshotLimit: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000, description: 'snapshots per server; 3 by default' })),
    diskQos: Type.Optional(IoLimits),
  },
  { additionalProperties: false },
);
export type CreatePlan = Static<typeof CreatePlan>;

export const Image = Type.Object(
  {
    id: Id('img'),
    name: Name,
    os: Type.String(),
    kind: ServerKind,
    status: Type.Union([Type.Literal('available'), Type.Literal('preparing'), Type.Literal('ready'), Type.Literal('failed'), Type.Literal('unavailable')], { description: 'unavailable: this host lacks something its servers need (see GET /hosts)' }),
    message: Type.String(),
  },
  { $id: 'Image' },
);
export type Image = Static<typeof Image>;

export const Nic = Type.Object({
  id: Id('nic'),
  network: Type.String(),
  mac: Type.String(),
  ipv4: Type.String({ description: 'address with prefix length' }),
  ipv6: Type.Optional(Type.String({ description: 'IPv6 address with prefix length, on a network with an ipv6Cidr' })),
  ingressMbit: Type.Optional(Type.Integer({ minimum: 0, description: 'limit into the server in Mbit/s; absent or 0: unlimited' })),
  egressMbit: Type.Optional(Type.Integer({ minimum: 0, description: 'limit out of the server in Mbit/s; absent or 0: unlimited' })),
});
export type Nic = Static<typeof Nic>;

export const ServerSpec = Type.Object({
  kind: ServerKind,
  plan: Name,
  image: Name,
  hostname: Type.String(),
  powerState: Type.Union([Type.Literal('running'), Type.Literal('stopped')]),
  rebootCount: Type.Integer({ description: 'bumped by each reboot action' }),
  sshKeys: Type.Array(Type.String()),
  hasPassword: Type.Boolean(),
  nics: Type.Array(Nic),
  source: Type.Optional(
    Type.Object(
      { server: Type.String({ description: 'srv_… id of the server the snapshot was taken of' }), snapshot: Type.String({ description: 'snp_… id' }) },
      { description: 'the snapshot whose root disk the server was made from (clone-server)' },
    ),
  ),
});
export type ServerSpec = Static<typeof ServerSpec>;

/** What a server refuses until it is lifted: deletion, rebuild (as Hetzner Cloud's protection). */
export const ServerProtection = Type.Object(
  { delete: Type.Boolean({ description: 'refuse DELETE' }), rebuild: Type.Boolean({ description: 'refuse the rebuild action' }) },
  { additionalProperties: false },
);
export type ServerProtection = Static<typeof ServerProtection>;

export const ServerStatus = Type.Object({
  phase: Phase,
  phaseSince: Type.Optional(Timestamp),
  observedGeneration: Type.Integer(),
  conditions: Type.Array(Condition),
  node: Type.Union([Type.String(), Type.Null()]),
});
export type ServerStatus = Static<typeof ServerStatus>;

/** Labels of a server: what label selectors (firewalls, lists) match; keys and values as in Kubernetes. */
export const ServerLabels = Type.Record(Type.String({ maxLength: 317 }), Type.String({ maxLength: 63 }), {
  maxProperties: 64,
  description: 'key/value pairs; a key is an optional DNS prefix and "/", then up to 63 letters, digits, "-", "_", "."',
});
export type ServerLabels = Static<typeof ServerLabels>;

export const Server = Type.Object(
  {
    id: Id('srv'),
    tenantId: Id('ten'),
    name: Name,
    labels: ServerLabels,
    generation: Type.Integer(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    spec: ServerSpec,
    status: ServerStatus,
    protection: ServerProtection,
  },
  { $id: 'Server' },
);
export type Server = Static<typeof Server>;

/** One NIC asked for in a server create: a network by id or name, optionally a fixed address. */
export const NicRequest = Type.Object(
  {
    network: Type.String({ minLength: 1, maxLength: 64, description: 'id or name of one of your networks, or "default"' }),
    ipv4: Type.Optional(Type.String({ pattern: '^(\\d{1,3}\\.){3}\\d{1,3}$', description: 'a fixed address inside the network' })),
  },
  { additionalProperties: false },
);
export type NicRequest = Static<typeof NicRequest>;

export const CreateServer = Type.Object(
  {
    name: Name,
    plan: NameOrId('plan'),
    image: NameOrId('img'),
    kind: Type.Optional(ServerKind),
    hostname: Type.Optional(Type.String({ minLength: 1, maxLength: 63 })),
    password: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    sshKeys: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 16_384 }), { maxItems: 32, description: 'public keys pasted as they are' })),
    sshKeyIds: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 100, pattern: '^[^\\x00-\\x1f\\x7f]*$', description: 'key_… id or name' }), {
        maxItems: 32,
        uniqueItems: true,
        description: "the tenant's saved SSH keys, each by id (key_…) or name",
      }),
    ),
    start: Type.Optional(Type.Boolean({ default: true })),
    nics: Type.Optional(Type.Array(NicRequest, { minItems: 1, maxItems: 8, description: 'the NICs, in order (eth0, eth1 …); one on the default network when left out' })),
    labels: Type.Optional(ServerLabels),
    protection: Type.Optional(Type.Partial(ServerProtection, { description: 'refuse delete and/or rebuild from the start' })),
  },
  { additionalProperties: false },
);
export type CreateServer = Static<typeof CreateServer>;
/**
 * A change of a server's name and/or labels (replaced as a whole). A new name is unique in the
 * tenant; the hostname follows it when it was the name, inside the guest and on its vSwitches.
 */
export const UpdateServer = Type.Object({ name: Type.Optional(Name), labels: Type.Optional(ServerLabels) }, { additionalProperties: false, minProperties: 1 });
export type UpdateServer = Static<typeof UpdateServer>;
/**
 * Power actions without a body: `stop` asks the guest to shut down and kills it after a grace
 * time; `shutdown` only asks (and fails if the guest does not stop in time); `poweroff` kills at once.
 */
export const ServerAction = Type.Union([Type.Literal('start'), Type.Literal('stop'), Type.Literal('reboot'), Type.Literal('shutdown'), Type.Literal('poweroff')]);
export type ServerAction = Static<typeof ServerAction>;

/** A public key saved in the tenant, to be picked when servers are created. */
export const SshKey = Type.Object(
  {
    id: Id('key'),
    name: Type.String(),
    fingerprint: Type.String({ description: 'SHA256:… as ssh-keygen -l prints it' }),
    publicKey: Type.String(),
    labels: ServerLabels,
    createdAt: Timestamp,
  },
  { $id: 'SshKey' },
);
export type SshKey = Static<typeof SshKey>;
const SshKeyName = Type.String({ minLength: 1, maxLength: 100, pattern: '^[^\\x00-\\x1f\\x7f]*$', description: 'free text; unique in the tenant' });
export const CreateSshKey = Type.Object(
  {
    name: Type.Optional(SshKeyName),
    publicKey: Type.String({ minLength: 1, maxLength: 16_384, description: "one line of an OpenSSH .pub file; without a name, the key's comment names it" }),
    labels: Type.Optional(ServerLabels),
  },
  { additionalProperties: false },
);
export type CreateSshKey = Static<typeof CreateSshKey>;
/** A new name and/or labels (replaced as a whole) of a saved key. */
export const UpdateSshKey = Type.Object({ name: Type.Optional(SshKeyName), labels: Type.Optional(ServerLabels) }, { additionalProperties: false, minProperties: 1 });
export type UpdateSshKey = Static<typeof UpdateSshKey>;

export const OperationState = Type.Union([
  Type.Literal('pending'),
  Type.Literal('running'),
  Type.Literal('succeeded'),
  Type.Literal('failed'),
]);
export const Operation = Type.Object(
  {
    id: Id('op'),
    tenantId: Id('ten'),
    kind: Type.String({ description: 'e.g. server.create, server.stop, server.delete' }),
    target: Type.Object({ type: Type.String(), id: Type.String() }),
    state: OperationState,
    progress: Type.Integer({ minimum: 0, maximum: 100 }),
    step: Type.String({ description: 'what happens now' }),
    error: Type.Union([
      Type.Object({
        code: Type.String(),
        message: Type.String({ description: 'what went wrong, in plain words' }),
        detail: Type.Optional(Type.String({ description: "operators only: the engine's own words (host paths, tool output)" })),
      }),
      Type.Null(),
    ]),
    createdAt: Timestamp,
    startedAt: Type.Union([Timestamp, Type.Null()]),
    finishedAt: Type.Union([Timestamp, Type.Null()]),
  },
  { $id: 'Operation' },
);
export type Operation = Static<typeof Operation>;
export const ServerWithOperation = Type.Object({ server: Server, operation: Operation });
export type ServerWithOperation = Static<typeof ServerWithOperation>;

export const Role = Type.Union([Type.Literal('operator'), Type.Literal('admin'), Type.Literal('member')]);
export type Role = Static<typeof Role>;
export const Tenant = Type.Object({ id: Id('ten'), name: Name, createdAt: Timestamp }, { $id: 'Tenant' });
export type Tenant = Static<typeof Tenant>;
export const CreateTenant = Type.Object(
  {
    name: Name,
    admin: Type.Optional(
      Type.Object({ email: Type.String({ format: 'email', maxLength: 254 }), password: Type.String({ maxLength: 256 }) }),
    ),
  },
  { additionalProperties: false },
);
export type CreateTenant = Static<typeof CreateTenant>;
/** A tenant's new name (operators). */
export const UpdateTenant = Type.Object({ name: Name }, { additionalProperties: false });
export type UpdateTenant = Static<typeof UpdateTenant>;

export const User = Type.Object(
  {
    id: Id('usr'),
    tenantId: Id('ten'),
    email: Type.String(),
    name: Type.String(),
    role: Role,
    createdAt: Timestamp,
  },
  { $id: 'User' },
);
export type User = Static<typeof User>;
export const CreateUser = Type.Object(
  {
    email: Type.String({ format: 'email', maxLength: 254 }),
    name: Type.Optional(Type.String({ maxLength: 100 })),
    password: Type.String({ maxLength: 256 }),
    role: Type.Optional(Type.Union([Type.Literal('admin'), Type.Literal('member')])),
  },
  { additionalProperties: false },
);
export type CreateUser = Static<typeof CreateUser>;

export const Token = Type.Object(
  {
    id: Id('tok'),
    name: Type.String(),
    userId: Id('usr'),
    prefix: Type.String({ description: 'first characters of the secret, to recognise it' }),
    createdAt: Timestamp,
    expiresAt: Type.Union([Timestamp, Type.Null()]),
    lastUsedAt: Type.Union([Timestamp, Type.Null()]),
  },
  { $id: 'Token' },
);
export type Token = Static<typeof Token>;
export const CreateToken = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
  },
  { additionalProperties: false },
);
export type CreateToken = Static<typeof CreateToken>;
export const CreatedToken = Type.Object({ token: Token, secret: Type.String({ description: 'shown once' }) });
export type CreatedToken = Static<typeof CreatedToken>;

export const Login = Type.Object(
  { email: Type.String({ maxLength: 254 }), password: Type.String({ maxLength: 256 }) },
  { additionalProperties: false },
);
export type Login = Static<typeof Login>;
/** Who the caller is, and where their account stands on second factors. */
export const Me = Type.Object({
  user: User,
  tenant: Tenant,
  twoFactor: Type.Object({
    enabled: Type.Boolean({ description: 'the account has a confirmed second factor' }),
    required: Type.Boolean({ description: "the tenant's policy (or the operator role) requires one" }),
    mustEnrol: Type.Boolean({ description: 'this session may only enrol a second factor until it has one' }),
  }),
});
export type Me = Static<typeof Me>;

/** One thing the host lacks to run servers, found by the preflight when `kumulus serve` starts. */
export const HostProblem = Type.Object({
  check: Type.String({ description: 'stable id of the check: binary, lxc-include, subid, data-dir, cgroup, bridge, kernel' }),
  subject: Type.String({ description: 'what is missing or wrong: a command, a file, a range' }),
  message: Type.String({ description: 'what is wrong, in English, for the operator' }),
  fix: Type.String({ description: 'what to do, e.g. the apt-get command' }),
});
export type HostProblem = Static<typeof HostProblem>;

export const Host = Type.Object(
  {
    name: Type.String(),
    engine: Type.String(),
    health: Type.Object({
      ok: Type.Boolean({ description: 'false when the preflight found something servers need' }),
      checkedAt: Timestamp,
      problems: Type.Array(HostProblem),
    }),
    cpus: Type.Integer(),
    memoryMb: Type.Integer(),
    servers: Type.Integer(),
    allocatedVcpus: Type.Integer(),
    allocatedMemoryMb: Type.Integer(),
  },
  { $id: 'Host' },
);
export type Host = Static<typeof Host>;
