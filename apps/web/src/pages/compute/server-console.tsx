/**
 * The browser console of one server: xterm.js over the console WebSocket, either the guest's
 * own console (a login prompt) or, for tenant admins, a root shell without login. This module
 * is loaded lazily (with xterm and its CSS) so the rest of the dashboard stays small.
 */
import '@xterm/xterm/css/xterm.css';
import type { Server } from '@kumulus/api/schemas';
import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import { useEffect, useRef, useState } from 'react';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { api } from '../../lib/api.ts';
import { type ConsoleMode, type ConsoleState, ConsoleSocket } from '../../lib/console-socket.ts';
import { Link } from 'wouter';
import { useSession } from '../../lib/session.tsx';

function StatusLine({ state }: { state: ConsoleState }) {
  const { t } = useI18n();
  const text =
    state.kind === 'connected'
      ? t('console.connected')
      : state.kind === 'connecting'
        ? t('console.connecting')
        : state.kind === 'waiting'
          ? t('console.waiting', { phase: t(`phase.${state.phase}`) })
          : state.kind === 'reconnecting'
            ? t('console.reconnecting')
            : state.kind === 'busy'
              ? t('console.busy')
              : t('console.ended');
  return (
    <span role="status" className={`badge console-${state.kind}`} data-testid="console-state" data-state={state.kind}>
      {text}
    </span>
  );
}

/** The console page (default export, for React.lazy); `mode` shell is the admins' root shell. */
export default function ServerConsolePage({ id, mode = 'console' }: { id: string; mode?: ConsoleMode }) {
  const { t } = useI18n();
  const { me } = useSession();
  // The server refuses a member's shell before the upgrade, which a browser cannot read: say it here.
  const shellRefused = mode === 'shell' && me?.user.role === 'member';
  const box = useRef<HTMLDivElement>(null);
  const after = useRef<HTMLButtonElement>(null);
  const termRef = useRef<Terminal | null>(null);
  const sockRef = useRef<ConsoleSocket | null>(null);
  const [server, setServer] = useState<Server>();
  const [state, setState] = useState<ConsoleState>({ kind: 'connecting' });

  useEffect(() => {
    api.getServer(id).then(setServer, (error) => setState({ kind: 'gone', error }));
  }, [id]);

  useEffect(() => {
    const el = box.current;
    if (!el || shellRefused) return;
    const term = new Terminal({
      cursorBlink: true,
      convertEol: false,
      fontFamily: 'ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace',
      fontSize: 14,
      scrollback: 5000,
    });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(el);
    termRef.current = term;
    const sock = new ConsoleSocket(id, { onOutput: (b) => term.write(b), onState: setState }, mode);
    sockRef.current = sock;
    let lastEscape = 0;
    term.attachCustomKeyEventHandler((e) => {
      if (e.type !== 'keydown') return true;
      // Ctrl+Shift+C copies the selection, as in desktop terminals (plain Ctrl+C is SIGINT).
      if (e.ctrlKey && e.shiftKey && e.code === 'KeyC') {
        if (term.hasSelection()) void navigator.clipboard.writeText(term.getSelection());
        return false;
      }
      // Ctrl+Shift+V: let the browser's native paste reach xterm's textarea instead of sending ^V.
      if (e.ctrlKey && e.shiftKey && e.code === 'KeyV') return false;
      // Escape twice leaves the terminal, which otherwise keeps Tab for the shell.
      if (e.key === 'Escape') {
        const now = Date.now();
        if (now - lastEscape < 600) {
          after.current?.focus();
          lastEscape = 0;
          return false;
        }
        lastEscape = now;
      }
      return true;
    });
    term.onData((d) => sock.send(d));
    term.onResize(({ cols, rows }) => sock.resize(cols, rows));
    fit.fit();
    sock.resize(term.cols, term.rows);
    sock.connect();
    term.focus();
    const ro = new ResizeObserver(() => fit.fit());
    ro.observe(el);
    return () => {
      ro.disconnect();
      sock.close();
      term.dispose();
      termRef.current = null;
    };
  }, [id, mode, shellRefused]);

  const copy = () => {
    const term = termRef.current;
    if (term?.hasSelection()) void navigator.clipboard.writeText(term.getSelection());
  };
  const paste = async () => {
    const text = await navigator.clipboard.readText();
    termRef.current?.paste(text);
    termRef.current?.focus();
  };
  const name = server?.name ?? id;
  const mayShell = me?.user.role === 'admin' || me?.user.role === 'operator';

  return (
    <section aria-labelledby="console-title" className="console-page">
      <p>
        <Link href={`/servers/${id}`}>← {name}</Link>
      </p>
      <div className="page-head">
        <h1 id="console-title">{t(mode === 'shell' ? 'console.shellTitle' : 'console.title', { name })}</h1>
        {!shellRefused && <StatusLine state={state} />}
      </div>
      {state.kind === 'gone' && <ErrorNotice error={state.error} />}
      {shellRefused ? (
        <p className="notice error" role="alert">
          {t('console.shellForbidden')}
        </p>
      ) : (
        <p className="notice info" data-testid="console-mode" data-mode={mode}>
          {t(mode === 'shell' ? 'console.shellHint' : 'console.loginHint')}
        </p>
      )}
      <p className="small muted" id="console-help">
        {t('console.help')}
      </p>
      <div
        ref={box}
        className="terminal"
        role="application"
        aria-label={t('console.label', { name })}
        aria-describedby="console-help"
        data-testid="terminal"
      />
      <div className="toolbar wrap">
        <button type="button" ref={after} onClick={copy}>
          {t('console.copy')}
        </button>
        <button type="button" onClick={() => void paste()}>
          {t('console.paste')}
        </button>
        <button type="button" onClick={() => sockRef.current?.connect()} disabled={shellRefused}>
          {t('console.reconnect')}
        </button>
        {mode === 'shell' ? (
          <Link className="button" href={`/servers/${id}/console`}>
            {t('console.openConsole')}
          </Link>
        ) : (
          mayShell && (
            <Link className="button" href={`/servers/${id}/shell`}>
              {t('console.openShell')}
            </Link>
          )
        )}
      </div>
    </section>
  );
}
