/**
 * A per-key mutex: the version store reads a key's index, decides and writes it back, and two writers of one
 * key in this process must not interleave those steps. Locks of different keys do not wait for each other.
 */
export class KeyLock {
  readonly #tails = new Map<string, Promise<unknown>>();

  /** Runs `fn` once every earlier holder of `key` has finished (successfully or not). */
  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const result = previous.then(fn, fn);
    const tail = result.catch(() => undefined);
    this.#tails.set(key, tail);
    try {
      return await result;
    } finally {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }
}
