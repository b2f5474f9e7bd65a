/**
 * Imported first by main.ts, before anything slow to load. In a container the service is PID 1,
 * which the kernel spares every signal it has no handler for: from the first moment, a SIGTERM (a
 * rollout replacing a start that hangs) or a Ctrl-C ends a start at once, instead of waiting for
 * the orchestrator's SIGKILL. Once the service listens, the drain takes over.
 *
 * One listener per signal for the life of the process, with the reaction swapped behind it:
 * removing a signal's last listener closes Node's handle for it, and a signal that arrived during
 * a start that never let the event loop turn (it can listen without one) would be lost with it.
 */
let reaction: (signal: NodeJS.Signals) => void = () => process.exit(0);

for (const name of ['SIGTERM', 'SIGINT'] as const) {
  process.on(name, (signal) => reaction(signal));
}

/** What SIGTERM and SIGINT do from now on. */
export function onStopSignal(react: (signal: NodeJS.Signals) => void): void {
  reaction = react;
}
