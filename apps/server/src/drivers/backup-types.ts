/**
 * The backup facet of an engine: copies of a server's disks into a deduplicating, encrypted
 * repository on a backup target, restored into the same server or another one, and checked by
 * reading them back. The local engine uses restic; a Proxmox engine would use vzdump/PBS.
 * Every method is safe to call twice: a backup is found by its id before it is made again.
 */

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
  /** `snapshot`: a storage snapshot while the guest runs; `stop`: the guest is stopped for the copy. */
  mode: 'snapshot' | 'stop';
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
  /** What was checked and, when it failed, why, for the owner. */
  detail: string;
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
  restore(repo: BackupRepo, backupId: string, disks: Map<string, BackupDisk>): Promise<void>;
  /** Reads the whole backup back from the repository and compares it with its checksums. */
  verify(repo: BackupRepo, backupId: string): Promise<BackupCheck>;
}
