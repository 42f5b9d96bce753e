import type { Engine } from './engine';

/**
 * One scan engine started ahead of need. A large file's helper engine (loader.ts) that starts with the load joins
 * only after its own start (about 0.3 s of a core that the load needs); taken ready, it reads from the first
 * chunk. A helper is closed after its load (its memory grew with the chunks it read), so the page prepares the
 * next one once it is idle again.
 */
export class SpareEngine {
  private spare: Promise<Engine> | null = null;

  constructor(private readonly start: () => Promise<Engine>) {}

  /** Start one unless one is started or starting. A failed start is forgotten: `take` then starts afresh. */
  prepare(): void {
    if (this.spare) return;
    const starting = this.start();
    this.spare = starting;
    starting.catch(() => {
      if (this.spare === starting) this.spare = null;
    });
  }

  /** The spare (started or still starting), or a new engine when there is none. The caller owns it and closes it. */
  take(): Promise<Engine> {
    const engine = this.spare ?? this.start();
    this.spare = null;
    return engine;
  }
}
