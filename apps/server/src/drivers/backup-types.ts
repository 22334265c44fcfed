/**
 * The backup facet of an engine: copies of a server's disks into a deduplicating, encrypted
 * repository on a backup target, restored into the same server or another one, and checked by
 * reading them back. The local engine uses restic; a Proxmox engine would use vzdump/PBS.
 * Every method is safe to call twice: a backup is found by its id before it is made again.
 */

/** The backup's data came back damaged or incomplete (not a target away for a moment): a failed verification, not a retry. */
export class BackupDataError extends Error {
  override readonly name = 'BackupDataError';
  /** What the engine's tool said, for the operator's log (tenants see only the message). */
  readonly raw: string;
  constructor(message: string, raw = '') {
    super(message);
    this.raw = raw;
  }
}

/** What a backup engine can do; checked instead of its name. */
export interface BackupCapabilities {
  /** Unchanged data is stored once across backups of one tenant. */
  deduplication: boolean;
  /** The repository is encrypted with the tenant's key. */
  encryption: boolean;
  /** Target kinds it writes to. */
  targetKinds: readonly BackupTargetKind[];
  /** Consistent backups while the guest runs (through a storage snapshot). */
  liveSnapshot: boolean;
  /** Backups with the guest stopped for the copy. */
  stopMode: boolean;
  /** Backups with the guest frozen (suspended) while every disk is copied at one instant. */
  suspendMode: boolean;
  /** Verification can boot a restored backup in a throwaway instance and look at its init (`guestCheck`). */
  bootCheck: boolean;
}

/** Where backups are kept: a directory on the host or a directory on a host reached over SSH/SFTP. */
export type BackupTargetKind = 'dir' | 'sftp';

/** A backup target as the engine needs it; secrets (SSH key, host key) are given once to `configureTarget`. */
export interface BackupTargetSpec {
  /** Our id (`bkt_…`); the engine names its files after it. */
  id: string;
  kind: BackupTargetKind;
  /** Directory on the host (`dir`) or on the remote host (`sftp`). */
  path: string;
  host?: string;
  port?: number;
  user?: string;
}

/** The secrets of an SFTP target, kept by the engine in files outside the database. */
export interface BackupTargetSecrets {
  /** The OpenSSH private key the engine logs in with. */
  privateKey: string;
  /** The remote host's public key (`ssh-ed25519 AAAA…`), checked on every connection. */
  hostKey: string;
}

/** Health and space of a target. */
export interface BackupTargetProbe {
  reachable: boolean;
  totalBytes: number | null;
  freeBytes: number | null;
  /** Why it is not reachable, for the operator. */
  error?: string;
}

/** One repository: a tenant's backups on one target. */
export interface BackupRepo {
  target: BackupTargetSpec;
  tenantId: string;
}

/** A disk of a server to back up or restore: its root disk or an attached volume. */
export interface BackupDisk {
  /** `root` or the volume's id. */
  name: string;
  kind: 'server' | 'volume';
  /** The server's or the volume's id. */
  id: string;
}

/** What to back up: the server's disks and how to keep them consistent. */
export interface BackupSource {
  /** Our server id (`srv_…`). */
  instance: string;
  /**
   * `snapshot`: a storage snapshot of each disk while the guest runs (frozen for each copy's moment);
   * `suspend`: the guest frozen while all its disks are copied at one instant; `stop`: stopped for the copy.
   */
  mode: 'snapshot' | 'suspend' | 'stop';
  disks: BackupDisk[];
}

/** One disk as a backup holds it. */
export interface BackedUpDisk {
  name: string;
  sizeBytes: number;
  /** SHA-256 of the disk's bytes when it was read, which verification compares with what comes back. */
  sha256: string;
}

/** What a complete backup holds. */
export interface BackupObservation {
  disks: BackedUpDisk[];
  /** Bytes read (the disks' sizes). */
  sizeBytes: number;
  /** Bytes this backup added to the repository after deduplication. */
  addedBytes: number;
  takenAt: number;
}

/** What a verification found. */
export interface BackupCheck {
  ok: boolean;
  /** What was checked and, when it failed, why, for the owner (plain words). */
  detail: string;
  /** What the engine's tool said when it failed, for the operator's log only. */
  raw?: string;
}

/** The backup facet. */
export interface BackupDriver {
  readonly capabilities: BackupCapabilities;
  /** Keeps the target's secrets (SFTP key and host key) in files of the engine; none for `dir`. */
  configureTarget(spec: BackupTargetSpec, secrets?: BackupTargetSecrets): Promise<void>;
  /** Forgets the target's secrets; its backups stay where they are. */
  removeTarget(id: string): Promise<void>;
  /** Whether the target answers, and its space. */
  probeTarget(spec: BackupTargetSpec): Promise<BackupTargetProbe>;
  /** Makes backup `backupId` of the source unless it exists already; answers what it holds. */
  backup(repo: BackupRepo, backupId: string, source: BackupSource): Promise<BackupObservation>;
  /** A complete backup; null when there is none (a cut-short one does not count). */
  inspect(repo: BackupRepo, backupId: string): Promise<BackupObservation | null>;
  /** Removes backups and the data only they used; absent ones are success. */
  remove(repo: BackupRepo, backupIds: string[]): Promise<void>;
  /**
   * Writes the backup's disks back: `disks` maps a backed-up disk's name to the disk it goes to
   * (the same server's, or another's); the server is stopped around it and started when it ran.
   */
  restore(repo: BackupRepo, backupId: string, disks: Map<string, BackupDisk>, opts?: { lowPriority?: boolean }): Promise<void>;
  /** Reads the backup back from the repository (every disk, or those named in `only`) and compares it with its checksums. */
  verify(repo: BackupRepo, backupId: string, opts?: { only?: string[] }): Promise<BackupCheck>;
  /** Checks the repository's structure (indexes, trees, pack headers) without reading every byte back. */
  checkRepo(repo: BackupRepo): Promise<BackupCheck>;
  /**
   * Looks into a running instance (a throwaway one a backup was restored into): its init is up and
   * answers. Only with capability `bootCheck`.
   */
  guestCheck?(instance: string): Promise<BackupCheck>;
}
