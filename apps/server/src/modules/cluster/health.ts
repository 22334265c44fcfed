/**
 * Host health: the engine's preflight, run at start-up and again whenever someone looks, kept
 * so that a server is refused at once (and an image not called ready) when the host cannot run
 * it — instead of failing later on a tenant's server with raw tool output.
 */
import type { Kysely } from 'kysely';
import type { Engine, HostProblem } from '../../drivers/types.ts';
import type { Clock } from '../../lib/clock.ts';
import { DomainError } from '../../lib/errors.ts';
import type { Database } from '../../store/schema.ts';
import type { Catalog } from '../compute/catalog.ts';

/** The latest preflight result. */
export interface HealthReport {
  checkedAt: number;
  problems: HostProblem[];
}

interface Deps {
  db: Kysely<Database>;
  engine: Engine;
  catalog: Catalog;
  clock: Clock;
  /** Where the operator reads what is wrong (stderr in `kumulus serve`). */
  log: (text: string) => void;
  /** Asks for an image to be prepared again once nothing blocks it any more. */
  requeueImage: (name: string) => Promise<void>;
}

/** Problems that keep instances of `image` from starting on this host. */
export const blocking = (problems: HostProblem[], image: string) => problems.filter((p) => !p.images || p.images.includes(image));

/** One message for the operator's log that lists every problem and its fix. */
export function describeProblems(problems: HostProblem[]): string {
  return [
    `this host cannot run servers until ${problems.length === 1 ? 'this is' : 'these are'} fixed:`,
    ...problems.map((p) => `  - ${p.message}\n    fix: ${p.fix}`),
  ].join('\n');
}

/** Creates the host health service. */
export function createHostHealth(d: Deps) {
  let report: HealthReport = { checkedAt: 0, problems: [] };
  let logged = '';

  return {
    /** Runs the preflight now; logs the problems when they changed and marks images accordingly. */
    async refresh(): Promise<HealthReport> {
      const problems = await d.engine.host.preflight();
      report = { checkedAt: d.clock(), problems };
      const text = problems.length ? describeProblems(problems) : '';
      if (text !== logged) {
        d.log(text ? `kumulus: ${text}` : 'kumulus: the host preflight passes again; servers can run');
        logged = text;
      }
      for (const { name } of d.engine.images.available()) {
        const image = await d.catalog.findImage(d.db, name);
        const blocked = blocking(problems, name).length > 0;
        if (blocked && image.status !== 'unavailable') {
          await d.catalog.setImageStatus(name, 'unavailable', 'this host cannot start servers from this image yet; the operator has been told what is missing');
        } else if (!blocked && image.status === 'unavailable') {
          await d.catalog.setImageStatus(name, 'available');
          await d.requeueImage(name);
        }
      }
      return report;
    },

    /** The latest result, without checking again. */
    current: (): HealthReport => report,

    /** Throws HOST_NOT_READY when the latest preflight found something instances of `image` need. */
    assertCanRun(image: string): void {
      const found = blocking(report.problems, image);
      if (found.length) throw new DomainError('HOST_NOT_READY', { image }, [{ field: 'image', message: 'the host cannot start servers from this image yet' }]);
    },
  };
}

/** The host health service. */
export type HostHealth = ReturnType<typeof createHostHealth>;
