/**
 * The console WebSocket's wire format, shared by the dashboard and the CLI.
 * Client → server: text frames of JSON, `{"type":"input","data":"…"}` or
 * `{"type":"resize","cols":80,"rows":24}`. Server → client: binary frames carry terminal
 * output; text frames carry JSON events: `{"type":"attached","mode":"console"}`, `{"type":"exit","code":0}`,
 * `{"type":"waiting","state":"STOPPED"}` and `{"type":"busy"}` (another client holds the console).
 */

/** A message the client sends. */
export type ClientMessage = { type: 'input'; data: string } | { type: 'resize'; cols: number; rows: number };

/** An event the server sends besides output. */
export type ServerEvent =
  | { type: 'attached'; mode: 'console' | 'shell' }
  | { type: 'waiting'; state: string }
  | { type: 'busy' }
  | { type: 'exit'; code: number | null };

/** Terminal sizes outside this range are refused: stty would take them, the guest would suffer. */
const MAX_DIM = 1000;

/** Parses one client frame; null for anything malformed, which is dropped rather than fatal. */
export function parseClientMessage(raw: string): ClientMessage | null {
  let m: unknown;
  try {
    m = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof m !== 'object' || m === null) return null;
  const o = m as Record<string, unknown>;
  if (o.type === 'input' && typeof o.data === 'string') return { type: 'input', data: o.data };
  if (o.type === 'resize' && Number.isInteger(o.cols) && Number.isInteger(o.rows)) {
    const cols = o.cols as number;
    const rows = o.rows as number;
    if (cols >= 1 && rows >= 1 && cols <= MAX_DIM && rows <= MAX_DIM) return { type: 'resize', cols, rows };
  }
  return null;
}
