/** Failures the emulator answers the way Proxmox VE's HTTP server does. */

/** An API failure with its HTTP status; `errors` is the per-parameter map of a 400. */
export class PveHttpError extends Error {
  override readonly name = 'PveHttpError';
  readonly status: number;
  readonly errors?: Record<string, string>;
  constructor(status: number, message: string, errors?: Record<string, string>) {
    super(message);
    this.status = status;
    this.errors = errors;
  }
}

/** An ordinary failure ("does not exist", "is locked", "already running"): HTTP 500 with the text. */
export const fail500 = (message: string): never => {
  throw new PveHttpError(500, message);
};
