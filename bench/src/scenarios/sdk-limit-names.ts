/**
 * Names of the SDK limit rows (sdk-limits.ts), apart from the scenario so goals.ts can look the rows up without
 * loading the scenario and what it starts.
 */
import { sizeLabel } from '../payload.ts';

/** The tiers of the limit rows: the object server, the bare routes, and the in-process limits of a durable put. */
export const SDK_LIMIT_TIERS = {
  server: 'object server (file)',
  put: 'bare fastify (drains the body)',
  get: 'bare fastify (sends one buffer)',
  inProcessPut: 'in-process limit (hash, write, fsync)',
  /** The SDK's own work on the request (checksums, payload hash, signature; no network), then the in-process put. */
  operationPut: 'operation limit (SDK request, no network, + in-process put)',
} as const;

/** The scenario of the limit rows of `op` at `bytes`, e.g. `sdk put 64 MiB, default checksums, vs limit`. */
export function sdkLimitScenario(op: 'put' | 'get', bytes: number): string {
  return `sdk ${op} ${sizeLabel(bytes)}, default checksums, vs limit`;
}

/** Whether `scenario` names limit rows of `op`, at any size (a smoke run uses a smaller object). */
export function isSdkLimitScenario(scenario: string, op: 'put' | 'get'): boolean {
  return scenario.startsWith(`sdk ${op} `) && scenario.endsWith(', default checksums, vs limit');
}
