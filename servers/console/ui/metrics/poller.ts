/**
 * Polls the server's `GET /metrics` while the console is signed in and keeps the last minutes of points in a
 * {@link SampleRing}, so the server view opens with history. `/metrics` is the server's unauthenticated
 * operational endpoint; an unsigned same-origin GET reaches it.
 */
import { snapshotFromText } from './prometheus.ts';
import { SampleRing } from './sample-ring.ts';
import type { MetricsPoint } from './sample-ring.ts';

/** Options of {@link MetricsPoller}. */
export interface MetricsPollerOptions {
  /** @default '/metrics' */
  url?: string;
  /** Between two scrapes, in ms. @default 2000 */
  intervalMs?: number;
  /** Points kept. @default 150 (five minutes at the default interval) */
  capacity?: number;
}

/** The metrics history of a console tab. */
export class MetricsPoller {
  readonly intervalMs: number;
  /** How far back the points reach when the ring is full, in seconds. */
  readonly windowSeconds: number;
  readonly #url: string;
  readonly #ring: SampleRing;
  readonly #listeners = new Set<() => void>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running = false;
  #error: string | undefined;

  constructor(options: MetricsPollerOptions = {}) {
    this.#url = options.url ?? '/metrics';
    this.intervalMs = options.intervalMs ?? 2000;
    this.#ring = new SampleRing(options.capacity ?? 150);
    this.windowSeconds = (this.intervalMs * this.#ring.capacity) / 1000;
  }

  /** The points, oldest first. */
  points(): MetricsPoint[] {
    return this.#ring.points();
  }

  /** Why the last scrape failed, if it did. */
  get error(): string | undefined {
    return this.#error;
  }

  /** Starts polling (a scrape now, then one per interval). */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    void this.#scrape();
  }

  /** Stops polling and forgets the history. */
  stop(): void {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#ring.clear();
  }

  /** Calls `listener` after every scrape; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async #scrape(): Promise<void> {
    try {
      const response = await fetch(this.#url, { cache: 'no-store', credentials: 'omit' });
      if (!response.ok) throw new Error(`GET ${this.#url} answered ${response.status}`);
      const text = await response.text();
      if (!this.#running) return;
      this.#ring.add(snapshotFromText(text, Date.now()));
      this.#error = undefined;
    } catch (e) {
      this.#error = e instanceof Error ? e.message : String(e);
    }
    if (!this.#running) return;
    for (const listener of this.#listeners) listener();
    this.#timer = setTimeout(() => void this.#scrape(), this.intervalMs);
  }
}
