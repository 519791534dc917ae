/**
 * What every view of a signed-in console reaches: the S3 client that signs with the session's keys, the
 * tab's upload queue, the metrics poller, the server's self-description and the notice area.
 */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { S3Client } from '@aws-sdk/client-s3';
import type { MetricsPoller } from './metrics/poller.ts';
import type { ServerInfo } from './server-info.ts';
import type { Session } from './session.ts';
import type { UploadQueue } from './upload/upload-queue.ts';

/** A message for the notice area: `info` is announced politely, `error` at once (role="alert"). */
export type Notify = (message: string, kind?: 'info' | 'error') => void;

/** The signed-in console. */
export interface ConsoleContext {
  session: Session;
  client: S3Client;
  uploads: UploadQueue;
  metrics: MetricsPoller;
  serverInfo: ServerInfo;
  notify: Notify;
  /** Bumped when an upload stores a file, so an open listing of its bucket reloads. */
  storedVersion: number;
}

const Context = createContext<ConsoleContext | undefined>(undefined);

/** Provides the signed-in console to the views below it. */
export const ConsoleProvider = Context.Provider;

/** The signed-in console; only views under {@link ConsoleProvider} call it. */
export function useConsole(): ConsoleContext {
  const value = useContext(Context);
  if (value === undefined) throw new Error('useConsole: not under a signed-in console');
  return value;
}
