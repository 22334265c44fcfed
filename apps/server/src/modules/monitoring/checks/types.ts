/** What one check found. */
export interface CheckResult {
  ok: boolean;
  /** How long the answer took; null when there was none. */
  ms: number | null;
  /** What was seen, in English (status, error, days left): stored with the result and shown in history. */
  message: string;
  /** The end of the certificate seen (tls checks). */
  certExpiresAt?: number;
}

/** Milliseconds since `start` (performance.now()), whole. */
export const since = (start: number) => Math.round(performance.now() - start);

/** An error as one line for a result's message. */
export const reason = (err: unknown) => {
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  return e.cause?.code ?? e.code ?? e.cause?.message ?? e.message ?? String(err);
};
