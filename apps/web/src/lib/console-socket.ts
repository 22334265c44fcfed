/**
 * The browser side of the console protocol, kept apart from the terminal widget.
 *
 * Wire format (same for the CLI): client → server text frames are JSON
 * `{"type":"input","data":"…"}` or `{"type":"resize","cols":80,"rows":24}`; server → client
 * binary frames are terminal output and text frames are JSON status events
 * (`{"type":"attached"}`, `{"type":"exit","code":0}`, `{"type":"busy"}`). Authentication is the
 * session cookie. The mode is the guest's login console (default) or, `?mode=shell`, a root shell.
 *
 * A console should outlive a reboot, so whenever the socket closes the connection is retried
 * with backoff; before each retry the server is looked up, which tells "not found" (stop) and
 * "not running yet" (wait) apart — a browser cannot read the HTTP status of a refused upgrade.
 */
import type { Phase } from '@kumulus/api/schemas';
import { ApiError, api } from './api.ts';

/** What the console is doing, for the status line. */
export type ConsoleState =
  | { kind: 'connecting' }
  | { kind: 'connected' }
  | { kind: 'waiting'; phase: Phase }
  | { kind: 'reconnecting' }
  /** Another window holds the guest's console; no automatic retry, the user decides. */
  | { kind: 'busy' }
  | { kind: 'gone'; error: unknown };

/** The guest's console with its login prompt, or a root shell without login (admins). */
export type ConsoleMode = 'console' | 'shell';

/** Callbacks of a console connection. */
export interface ConsoleHandlers {
  onOutput: (bytes: Uint8Array) => void;
  onState: (s: ConsoleState) => void;
}

/** A self-reconnecting console connection to one server. */
export class ConsoleSocket {
  #ws: WebSocket | null = null;
  #closed = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #backoff = 500;
  #size = { cols: 80, rows: 24 };
  readonly #id: string;
  readonly #h: ConsoleHandlers;
  readonly #mode: ConsoleMode;

  constructor(id: string, handlers: ConsoleHandlers, mode: ConsoleMode = 'console') {
    this.#id = id;
    this.#h = handlers;
    this.#mode = mode;
  }

  /** Opens the connection (again, if it was open). */
  connect(): void {
    this.#ws?.close();
    clearTimeout(this.#timer);
    this.#h.onState({ kind: 'connecting' });
    const proto = location.protocol === 'https:' ? 'wss' : 'ws';
    const query = this.#mode === 'shell' ? '?mode=shell' : '';
    const ws = new WebSocket(`${proto}://${location.host}/api/v1/servers/${encodeURIComponent(this.#id)}/console${query}`);
    ws.binaryType = 'arraybuffer';
    this.#ws = ws;
    let openedAt = 0;
    let busy = false;
    ws.onopen = () => {
      openedAt = Date.now();
      this.#sendResize();
    };
    ws.onmessage = (ev) => {
      if (typeof ev.data === 'string') {
        const msg = JSON.parse(ev.data) as { type: string };
        if (msg.type === 'attached') {
          this.#backoff = 500;
          this.#h.onState({ kind: 'connected' });
        } else if (msg.type === 'busy') busy = true;
      } else {
        this.#h.onOutput(new Uint8Array(ev.data as ArrayBuffer));
      }
    };
    ws.onclose = () => {
      if (this.#ws !== ws || this.#closed) return;
      this.#ws = null;
      if (busy) return this.#h.onState({ kind: 'busy' });
      // A session that lived a while ended for a reason (reboot, exit): retry at once.
      if (openedAt && Date.now() - openedAt > 5000) this.#backoff = 500;
      this.#h.onState({ kind: 'reconnecting' });
      this.#timer = setTimeout(() => void this.#retry(), this.#backoff);
      this.#backoff = Math.min(this.#backoff * 2, 5000);
    };
  }

  async #retry(): Promise<void> {
    if (this.#closed) return;
    try {
      const server = await api.getServer(this.#id);
      if (this.#closed) return;
      if (server.status.phase !== 'Running') {
        this.#h.onState({ kind: 'waiting', phase: server.status.phase });
        this.#timer = setTimeout(() => void this.#retry(), 2000);
        return;
      }
      this.connect();
    } catch (err) {
      if (this.#closed) return;
      if (err instanceof ApiError && (err.status === 404 || err.status === 401)) {
        this.#h.onState({ kind: 'gone', error: err });
        return;
      }
      this.#timer = setTimeout(() => void this.#retry(), 2000);
    }
  }

  /** Sends keystrokes or pasted text. */
  send(data: string): void {
    if (this.#ws?.readyState === WebSocket.OPEN) this.#ws.send(JSON.stringify({ type: 'input', data }));
  }

  /** Tells the server the terminal's size (also re-sent on every reconnect). */
  resize(cols: number, rows: number): void {
    this.#size = { cols, rows };
    this.#sendResize();
  }

  #sendResize(): void {
    if (this.#ws?.readyState === WebSocket.OPEN) this.#ws.send(JSON.stringify({ type: 'resize', ...this.#size }));
  }

  /** Closes for good (page left). */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#ws?.close();
    this.#ws = null;
  }
}
