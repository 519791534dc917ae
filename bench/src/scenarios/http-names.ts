/** Names of HTTP rows that the goals look up, kept apart from the scenario so reading them starts no process. */

/** The in-process durable-put floor in the HTTP PUT group: the raw tier's put, no HTTP, 16 in flight. */
export const RAW_PUT_TIER = 'raw node:fs in process (tmp+fsync+rename+dir fsync)';

/** Puts in flight in the in-process floor. */
export const RAW_PUT_IN_FLIGHT = 16;
