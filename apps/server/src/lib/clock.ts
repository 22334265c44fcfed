/** A source of the current time in epoch milliseconds; injected so tests control time. */
export type Clock = () => number;

/** The wall clock. */
export const systemClock: Clock = () => Date.now();

/** Formats epoch milliseconds as an RFC 3339 timestamp, or null. */
export function iso(ms: number | null | undefined): string | null {
  return ms == null ? null : new Date(Number(ms)).toISOString();
}
