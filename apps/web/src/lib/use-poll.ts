/**
 * Polls a loader and keeps its latest answer: this is what makes lists "live" without a
 * manual reload. Polling pauses while the tab is hidden and restarts at once when it shows.
 */
import { useCallback, useEffect, useRef, useState } from 'react';

/** The state of a polled resource. */
export interface Polled<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  /** Loads now, without waiting for the next tick. */
  reload: () => void;
}

/**
 * Loads with `load` now and again every `intervalMs` (a function of the last data, so busy
 * resources can poll faster); `key` restarts it. `intervalMs` 0 loads once.
 */
export function usePoll<T>(
  load: (signal: AbortSignal) => Promise<T>,
  intervalMs: number | ((data: T | undefined) => number),
  key: unknown[] = [],
): Polled<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const intervalRef = useRef(intervalMs);
  intervalRef.current = intervalMs;

  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` is the caller's dependency list
  useEffect(() => {
    const ctrl = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last: T | undefined;
    const run = async () => {
      if (document.hidden) return; // resumed by visibilitychange
      try {
        last = await loadRef.current(ctrl.signal);
        if (ctrl.signal.aborted) return;
        setData(last);
        setError(undefined);
      } catch (err) {
        if (ctrl.signal.aborted) return;
        setError(err);
      } finally {
        if (!ctrl.signal.aborted) setLoading(false);
      }
      const iv = intervalRef.current;
      const ms = typeof iv === 'function' ? iv(last) : iv;
      if (ms > 0 && !ctrl.signal.aborted) timer = setTimeout(run, ms);
    };
    const onVisible = () => {
      if (!document.hidden) {
        clearTimeout(timer);
        run();
      }
    };
    document.addEventListener('visibilitychange', onVisible);
    run();
    return () => {
      ctrl.abort();
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [tick, ...key]);

  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { data, error, loading, reload };
}
