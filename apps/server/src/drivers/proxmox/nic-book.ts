/**
 * Which NIC ids a guest carries, by vmid: what the compute facet set, or what the guest's record says when it
 * was made by another Kumulus process. The network facet reads it to book a guest's traffic counters to a NIC
 * without reading every guest's config on every pass.
 */

/** NIC ids by vmid, with the time each entry was learnt. */
export interface NicBook {
  get(vmid: number): string[] | undefined;
  set(vmid: number, nics: string[]): void;
}

/** A book whose entries are read again after `maxAgeMs` (someone may change a guest behind this process). */
export function createNicBook(maxAgeMs = 600_000, now: () => number = Date.now): NicBook {
  const book = new Map<number, { nics: string[]; at: number }>();
  return {
    get(vmid) {
      const e = book.get(vmid);
      if (!e || now() - e.at > maxAgeMs) return undefined;
      return e.nics;
    },
    set(vmid, nics) {
      book.set(vmid, { nics, at: now() });
    },
  };
}
