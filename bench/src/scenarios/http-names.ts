/** Names of HTTP rows that the goals look up, kept apart from the scenario so reading them starts no process. */

/** The in-process durable-put floor in the HTTP PUT group: the raw tier's put, no HTTP, 16 in flight. */
export const RAW_PUT_TIER = 'raw node:fs in process (tmp+fsync+rename+dir fsync)';

/** Puts in flight in the in-process floor. */
export const RAW_PUT_IN_FLIGHT = 16;

/**
 * The bare fastify route that stores each PUT with the floor's own durable put before answering: what HTTP
 * plus the floor's file work costs on this stack, the ceiling of any server doing that work per request.
 */
export const BARE_DURABLE_TIER = 'bare fastify + raw durable put';
