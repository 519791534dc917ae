/** Object versioning as a layer over the storage contract (see version-store.ts and the package README). */
export * from './manifest.ts';
export * from './version-store.ts';
export * from './list-versions.ts';
