/**
 * Per-pass timings of named steps, printed when KUMULUS_TRACE is set: shows where the
 * milliseconds of a create go (reads, engine calls, commits) without a profiler.
 */
export interface Trace {
  /** Ends the current step under `name` and starts the next one. */
  mark(name: string): void;
  /** Prints the steps and the total, if tracing is on. */
  end(): void;
}

const off: Trace = { mark() {}, end() {} };

/** Starts a trace of one pass over `label`; a no-op unless KUMULUS_TRACE is set. */
export function startTrace(label: string, log: (text: string) => void = (t) => console.error(t)): Trace {
  if (!process.env.KUMULUS_TRACE) return off;
  const t0 = performance.now();
  let last = t0;
  const steps: string[] = [];
  return {
    mark(name) {
      const now = performance.now();
      steps.push(`${name} ${(now - last).toFixed(1)}`);
      last = now;
    },
    end() {
      if (steps.length) log(`kumulus: trace ${label}: ${steps.join(', ')} (total ${(performance.now() - t0).toFixed(1)} ms)`);
    },
  };
}
