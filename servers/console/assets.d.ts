/**
 * Types of `@strata/console/assets`, the module `scripts/build-ui.mjs` generates into `dist/ui/assets.js`: the
 * console's browser files, each brotli-compressed and base64-encoded. Written by hand because the module
 * itself exists only after a build (`pnpm install` runs it; so does `pnpm --filter @strata/console build`).
 */

/** One file of the built console. */
export interface BuiltConsoleAsset {
  /** The file's name under the console's path: `index.html`, `console-<hash>.js`, … */
  readonly path: string;
  /** Its Content-Type. */
  readonly contentType: string;
  /** Whether its name changes with its content (cacheable for ever). */
  readonly immutable: boolean;
  /** Its size in bytes, uncompressed. */
  readonly size: number;
  /** Its bytes, brotli-compressed, base64-encoded. */
  readonly brotli: string;
}

/** A digest of the whole build (16 hex digits). */
export declare const consoleBuild: string;

/** Every file of the built console. */
export declare const consoleAssets: readonly BuiltConsoleAsset[];
