/**
 * `@strata/console`: the Strata web console — a browser UI for buckets, objects, uploads, share links and the
 * server's metrics — and the fastify plugin that serves it. The browser app (ui/) is built into
 * `@strata/console/assets` (scripts/build-ui.mjs); the host passes those assets to {@link registerConsole}.
 */
export { isPlainRequest, registerConsole } from './register-console.ts';
export type { ConsoleOptions } from './register-console.ts';
export { diskUsage } from './server-info.ts';
export type { ConsoleServerInfo, DiskUsage } from './server-info.ts';
export { CONTENT_SECURITY_POLICY, SECURITY_HEADERS } from './security-headers.ts';
export type { BuiltConsoleAsset } from '@strata/console/assets';
