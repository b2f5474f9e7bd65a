import type { EmulatorClient } from '../src/emulator/emulator.types';

/**
 * What the driver asks of the emulator process. The emulator runs in its own process so its
 * TLS and token work do not share an event loop with the load generator; this is its channel.
 */
export type EmulatorCommand =
  | { type: 'start'; tls: { key: string; cert: string }; client: EmulatorClient }
  | { type: 'latency'; ms: number }
  | { type: 'mint'; count: number; redirectUri: string }
  /** Zeroes the connection counter and drops recorded requests (they would pile up under load). */
  | { type: 'reset' }
  /** Drops a /swap phase's unused codes, which would otherwise pile up for their ten minutes. */
  | { type: 'forget-codes' }
  | { type: 'connections' };

export interface EmulatorAnswers {
  start: string;
  latency: null;
  mint: string[];
  reset: null;
  'forget-codes': null;
  connections: number;
}

export interface ControlRequest {
  id: number;
  command: EmulatorCommand;
}

export type ControlReply = { id: number; result: unknown } | { id: number; error: string };

/** What the raw baseline tells the driver once it listens. */
export interface BaselineReady {
  port: number;
}
