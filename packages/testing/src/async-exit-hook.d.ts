// The functions of async-exit-hook (no published types) that pgq calls.
declare module 'async-exit-hook' {
  const exitHook: {
    /** Runs `hook` before the process exits on a signal; it calls `done` when finished. */
    (hook: (done: () => void) => void): void;
    hookedEvents(): string[];
    unhookEvent(event: string): void;
  };
  export default exitHook;
}
