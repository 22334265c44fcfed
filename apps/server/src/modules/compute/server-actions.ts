import { randomInt } from 'node:crypto';
import type { ChangeProtection, Operation, PasswordReset, Server } from '@kumulus/api';
import type { Kysely } from 'kysely';
import type { Clock } from '../../lib/clock.ts';
import { DomainError } from '../../lib/errors.ts';
import { hashPassword as cryptPassword } from '../../lib/sha512-crypt.ts';
import type { EngineCapabilities } from '../../drivers/types.ts';
import type { Database } from '../../store/schema.ts';
import { actorOf, type Audit } from '../audit/service.ts';
import { assertStrongPassword } from '../identity/passwords.ts';
import type { Principal } from '../identity/principal.ts';
import type { Catalog } from './catalog.ts';
import { readRow, toServer } from './server-record.ts';
import type { Servers } from './servers.ts';

interface Deps {
  db: Kysely<Database>;
  clock: Clock;
  audit: Audit;
  catalog: Catalog;
  servers: Servers;
  capabilities: EngineCapabilities;
  /** Called after a change is committed, to wake the worker. */
  notify: () => void;
}

// No look-alikes (0/O, 1/l/I), so a password read off a screen is typed right the first time.
const LOWER = 'abcdefghijkmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const DIGITS = '23456789';
const SYMBOLS = '-_.+=%';

/** A random root password of 20 characters with every kind of character, strong by our own rules. */
export function generateRootPassword(): string {
  const all = LOWER + UPPER + DIGITS + SYMBOLS;
  const pick = (set: string) => set[randomInt(set.length)]!;
  for (;;) {
    const chars = [pick(LOWER), pick(UPPER), pick(DIGITS), pick(SYMBOLS), ...Array.from({ length: 16 }, () => pick(all))];
    // Fisher–Yates, so the guaranteed kinds are not always at the front.
    for (let i = chars.length - 1; i > 0; i--) {
      const j = randomInt(i + 1);
      [chars[i], chars[j]] = [chars[j]!, chars[i]!];
    }
    const pw = chars.join('');
    try {
      assertStrongPassword(pw);
      return pw;
    } catch {
      // A random draw that happens to repeat too much: draw again.
    }
  }
}

/**
 * The rest of a server's life: protection, resize, rebuild and root password reset. Each slow
 * one is a spec change with an operation that the server reconciler carries out.
 */
export function createServerActions(d: Deps) {
  const { db, servers } = d;
  const { find, changeSpec } = servers.rows;

  const withNotify = async <T>(fn: () => Promise<T>): Promise<T> => {
    const out = await fn();
    d.notify();
    return out;
  };

  return {
    /** Sets or lifts delete and rebuild protection; takes effect at once (no engine work). */
    async changeProtection(p: Principal, idOrName: string, body: ChangeProtection, requestId: string): Promise<Server> {
      return db.transaction().execute(async (trx) => {
        const row = await find(trx, p, idOrName);
        const { spec } = readRow(row);
        const protection = { delete: body.delete ?? spec.protection?.delete ?? false, rebuild: body.rebuild ?? spec.protection?.rebuild ?? false };
        spec.protection = protection;
        const updated = { ...row, spec: JSON.stringify(spec), updated_at: d.clock() };
        // Not a new generation: nothing on the engine changes, and no operation waits on it.
        await trx.updateTable('servers').set({ spec: updated.spec, updated_at: updated.updated_at }).where('id', '=', row.id).execute();
        await d.audit.record(trx, actorOf(p, requestId), { action: 'server.change-protection', targetType: 'server', targetId: row.id, detail: protection });
        return toServer(updated);
      });
    },

    /** Asks the guest to shut down, failing the operation (and keeping it running) after `timeoutS`. */
    shutdown(p: Principal, idOrName: string, timeoutS: number, requestId: string): Promise<Operation> {
      return withNotify(() =>
        db.transaction().execute(async (trx) => {
          const row = await find(trx, p, idOrName);
          return changeSpec(trx, p, row, 'server.shutdown', (spec) => {
            spec.powerState = 'stopped';
            spec.stopMode = 'shutdown';
            spec.shutdownTimeoutS = timeoutS;
          }, requestId, 'queued');
        }),
      );
    },

    /** Moves the server to another plan: CPU and memory live, the root disk only grows. */
    resize(p: Principal, idOrName: string, planRef: string, requestId: string): Promise<Operation> {
      return withNotify(() =>
        db.transaction().execute(async (trx) => {
          const row = await find(trx, p, idOrName);
          const { spec, status } = readRow(row);
          const [from, to] = [await d.catalog.planByName(trx, spec.plan), await d.catalog.findPlan(trx, planRef)];
          if (to.diskGb < from.diskGb) throw new DomainError('SERVER_DISK_SHRINK', { id: row.id, plan: to.name, disk: from.diskGb, newDisk: to.diskGb }, [{ field: 'plan', message: { en: `choose a plan with at least ${from.diskGb} GB of disk`, de: `wählen Sie einen Tarif mit mindestens ${from.diskGb} GB Festplatte` } }]);
          if (!d.capabilities.liveResize && status.phase !== 'Stopped') throw new DomainError('RESIZE_NEEDS_STOP', { id: row.id });
          // Servers made before resize existed have the limits of the plan their spec names.
          if (status.appliedPlan === undefined) {
            status.appliedPlan = spec.plan;
            await trx.updateTable('servers').set({ status: JSON.stringify(status) }).where('id', '=', row.id).execute();
          }
          return changeSpec(trx, p, row, 'server.resize', (s) => {
            s.plan = to.name;
          }, requestId, 'queued');
        }),
      );
    },

    /** A fresh root filesystem from `imageRef`; id, name, addresses, keys and password stay. */
    rebuild(p: Principal, idOrName: string, imageRef: string, requestId: string): Promise<Operation> {
      return withNotify(() =>
        db.transaction().execute(async (trx) => {
          const row = await find(trx, p, idOrName);
          const { spec } = readRow(row);
          if (spec.protection?.rebuild) throw new DomainError('SERVER_PROTECTED', { id: row.id, action: { en: 'rebuilt', de: 'neu aufgesetzt' } });
          const image = await d.catalog.findImage(trx, imageRef);
          if (image.kind !== spec.kind) {
            throw new DomainError('VALIDATION_FAILED', { summary: { en: `image ${image.name} is not for this kind of server`, de: `Image ${image.name} passt nicht zu dieser Art von Server` } }, [{ field: 'image', message: { en: `choose an image for a ${spec.kind}`, de: `wählen Sie ein Image für ${spec.kind === 'vm' ? 'eine VM' : 'einen Container'}` } }]);
          }
          return changeSpec(trx, p, row, 'server.rebuild', (s) => {
            s.image = image.name;
            s.rebuildCount = (s.rebuildCount ?? 0) + 1;
          }, requestId, 'queued');
        }),
      );
    },

    /** Sets a new generated root password; the answer is the only place its plain text appears. */
    resetPassword(p: Principal, idOrName: string, requestId: string): Promise<PasswordReset> {
      const rootPassword = generateRootPassword();
      const hash = cryptPassword(rootPassword);
      return withNotify(() =>
        db.transaction().execute(async (trx) => {
          const row = await find(trx, p, idOrName);
          const operation = await changeSpec(trx, p, row, 'server.reset-password', (s) => {
            s.passwordHash = hash;
            s.hasPassword = true;
            s.passwordCount = (s.passwordCount ?? 0) + 1;
          }, requestId, 'queued');
          return { rootPassword, operation };
        }),
      );
    },
  };
}

/** The server actions service. */
export type ServerActions = ReturnType<typeof createServerActions>;
