import type { Engine } from '../engine/engine';
import { loadSource, refreshEventsView, reinterpret, sourceViewSql, unloadSource } from '../ingest/loader';
import { warmUpEngine } from '../ingest/warm-up';
import { SpareEngine } from '../engine/spare-engine';
import type { LoadedSource, RemovedEvents, SourceEntry } from '../ingest/source';
import type { ColumnMapping } from '../ingest/schema';
import { containerKindOf, expandContainer, zipIsWorkbook, type ContainerMember, type ContainerProblem, type PasswordRequest } from '../ingest/containers';
import { rememberedMapping, rememberMapping } from './mappings';
import type { EvtxReader } from '../ingest/evtx-in-worker';
import { combinedPrefilter, combinedPrefilterHint, DETECTIONS } from '../detections/registry';
import { chartData, countedEvents, runDetection, stageCounts, type ChartData, type EventRow, type StageCount } from '../detections/runner';
import type { Alert, Detection, DetectionResult, RunParams } from '../detections/types';
import { cutoffFor, DEFAULT_SETTINGS, resolveNow, settingsFromHash, settingsToHash, type Settings } from '../params/settings';
import { formatTicks, parseInstant, ticksFromEpochMs, TICKS_PER_MINUTE } from '../time/ticks';
import { localTime, shortTime } from '../format';
import { aroundEvents } from '../investigate/around';
import { forgetStoredSettings, loadAllowlistText, parseAllowlist, saveAllowlistText } from './allowlist';
import { fingerprint } from '../ingest/fingerprint';

export interface Explanation {
  stages: StageCount[];
  largestGroup: number;
}

/** See Session.prepareSpareWhenIdle. */
const SPARE_ENGINE_DELAY_MS = 1_500;

export interface SessionOptions {
  getEngine: (onProgress: (text: string) => void) => Promise<Engine>;
  storage?: Storage;
  clock?: () => number;
  /** Reads .evtx files off the page's thread (the platform's worker); tests read them in place. */
  evtxReader?: EvtxReader;
  /** Starts a second engine for scanning a large CSV on the other core; without it one engine reads everything. */
  startScanEngine?: () => Promise<Engine>;
  /** Idle time before the spare helper engine starts (default SPARE_ENGINE_DELAY_MS). */
  spareDelayMs?: number;
  /** Size of a large CSV's chunks (loader.ts CSV_CHUNK_BYTES unless given): tests use small files. */
  chunkBytes?: number;
  /** An export read once after the engine starts, so the engine's hot code is optimised before the user's files (warm-up.ts). */
  warmUpSample?: () => Promise<Blob>;
  /**
   * Delay before a parameter edit re-runs the detection (default none: a run that waited behind another while a
   * newer edit came is skipped, so typing does not queue runs anyway).
   */
  debounceMs?: number;
}

/**
 * Everything the page shows, and the one place that sequences work on the engine. `busy` turns true in the same
 * task as any input (a file selection, a hash change, a parameter edit) and false only once the results reflect it.
 */
export class Session {
  readonly detection: Detection = DETECTIONS[0]!;
  /** Replaced, never mutated: raw state keeps the loader's own objects (no proxies). */
  sources = $state.raw<SourceEntry[]>([]);
  settings = $state<Settings>(settingsFromHash('').settings);
  settingsProblems = $state<string[]>([]);
  allowlistText = $state('');
  engineStatus = $state<'idle' | 'starting' | 'ready' | 'failed'>('idle');
  /** The warm-up (warm-up.ts) ran to its end: large files read at full speed from now on. */
  engineWarm = $state(false);
  engineProgress = $state('');
  engineError = $state<string | null>(null);
  result = $state.raw<DetectionResult | null>(null);
  explanation = $state.raw<Explanation | null>(null);
  charts = $state.raw<ChartData | null>(null);
  runError = $state<string | null>(null);
  /** The parameters the shown result was computed with. */
  resultParams = $state.raw<RunParams | null>(null);
  busy = $state(false);
  /** Show times in the viewer's zone instead of UTC (display only: queries, exports and reports stay in UTC). */
  localTime = $state(false);
  /** Bumped each time settings come from the URL, so edit fields can follow. */
  hashRevision = $state(0);
  clockMs = $state(Date.now());
  /** An archive member is password-protected: the page asks, and the unpacking waits for the answer. */
  passwordRequest = $state.raw<PasswordRequest | null>(null);
  private passwordAnswer: ((password: string | null) => void) | null = null;

  readonly loaded = $derived(this.sources.filter((s): s is LoadedSource => s.status === 'ready'));
  readonly latestEvent = $derived(this.loaded.reduce<bigint | null>((m, s) => (s.maxTime !== null && (m === null || s.maxTime > m) ? s.maxTime : m), null));
  readonly earliestEvent = $derived(this.loaded.reduce<bigint | null>((m, s) => (s.minTime !== null && (m === null || s.minTime < m) ? s.minTime : m), null));
  readonly now = $derived(resolveNow(this.settings.now, this.latestEvent, this.clockMs));
  readonly cutoff = $derived(this.now === null ? null : cutoffFor(this.now, this.settings.startTicks));
  readonly allowlist = $derived(parseAllowlist(this.allowlistText));
  readonly nowInFuture = $derived(this.now !== null && this.now > ticksFromEpochMs(this.clockMs));

  private readonly options: SessionOptions;
  private engineQueue: Promise<unknown> = Promise.resolve();
  /** Loads and other engine changes (remove, forget, re-interpret) not finished yet: no result may be shown. */
  private pendingLoads = 0;
  private requested = 0;
  private runTimer: ReturnType<typeof setTimeout> | undefined;
  private nextId = 1;
  /** Content fingerprint → id of the source that holds it, so a file dropped twice is counted once. */
  private fingerprints = new Map<string, number>();
  /** The files themselves, by source id: read again for "around this alert" and hashed for the report. */
  readonly blobs = new Map<number, Blob>();

  /** A large file's helper engine, started while the page is idle (spare-engine.ts). */
  private readonly scanEngines: SpareEngine | null;

  constructor(options: SessionOptions) {
    this.options = options;
    this.scanEngines = options.startScanEngine ? new SpareEngine(options.startScanEngine) : null;
    this.allowlistText = loadAllowlistText(options.storage);
  }

  /** Start the engine in the background so the first file does not wait for it. */
  startEngine(): Promise<Engine> {
    if (this.engineStatus === 'idle' || this.engineStatus === 'failed') {
      this.engineStatus = 'starting';
      this.engineError = null;
    }
    return this.options.getEngine((text) => { this.engineProgress = text; }).then(
      (engine) => {
        // Every piece of engine work passes here; only the first start plans a spare (later ones follow runs).
        if (this.engineStatus !== 'ready') this.prepareSpareWhenIdle();
        this.engineStatus = 'ready';
        this.engineProgress = '';
        this.queueWarmUp();
        return engine;
      },
      (e: unknown) => { this.engineStatus = 'failed'; this.engineError = (e as Error).message ?? String(e); throw e; },
    );
  }

  private spareTimer: ReturnType<typeof setTimeout> | undefined;

  /**
   * Start the spare helper engine once the page has been idle for a moment: starting an engine takes a core for a
   * few hundred ms, which the user's next click (the sample, an edit right after a load) should not wait behind.
   */
  private prepareSpareWhenIdle(): void {
    if (!this.scanEngines) return;
    clearTimeout(this.spareTimer);
    this.spareTimer = setTimeout(() => {
      if (!this.busy) this.scanEngines!.prepare();
    }, this.options.spareDelayMs ?? SPARE_ENGINE_DELAY_MS);
  }

  private warmUpQueued = false;
  /** Stops the warm-up as soon as the user brings work: it only saves time, it must never cost the user any. */
  private warmUp: AbortController | null = null;

  /**
   * Once per page, when the engine has started, unless the user has brought work already (a file dropped while the
   * engine started): the warm-up would then sit in the queue before the runs and edits that follow.
   */
  private queueWarmUp(): void {
    const sample = this.options.warmUpSample;
    if (this.warmUpQueued || !sample) return;
    this.warmUpQueued = true;
    if (this.busy || this.sources.length > 0) return; // busy: files are on their way or loading
    const controller = new AbortController();
    this.warmUp = controller;
    void this.withEngine(async (engine) => {
      if (!controller.signal.aborted) await warmUpEngine(engine, await sample(), combinedPrefilter(), controller.signal);
      if (!controller.signal.aborted) this.engineWarm = true;
    }, true).catch(() => {}).finally(() => {
      this.warmUp = null;
    });
  }

  /** Engine work runs one piece at a time, in the order it was asked for; any of it stops the warm-up. */
  private withEngine<T>(work: (engine: Engine) => Promise<T>, warmUp = false): Promise<T> {
    if (!warmUp) this.warmUp?.abort();
    const next = this.engineQueue.then(async () => work(await this.startEngine()));
    this.engineQueue = next.catch(() => {});
    return next;
  }

  /** Take the settings from the URL hash; `run` is false at start-up, when there is nothing to compute yet. */
  applyHash(hash: string, run = true): void {
    const { settings, problems } = settingsFromHash(hash);
    this.settings = settings;
    this.settingsProblems = problems;
    this.hashRevision++;
    // Debounced like an edit: a script may rewrite the hash several times in a row.
    if (run) this.requestRun();
  }

  /** An instant from the engine (`...Z`), as the page shows it. */
  time(iso: string | null | undefined): string {
    return this.localTime ? localTime(iso) : shortTime(iso);
  }

  timeOfTicks(ticks: bigint | null): string {
    return ticks === null ? '—' : this.time(formatTicks(ticks));
  }

  get zoneLabel(): string {
    return this.localTime ? 'local time' : 'UTC';
  }

  /** Why the last "Suppress this account" could not be done, if it could not. */
  suppressProblem = $state<string | null>(null);

  /**
   * "Suppress this account": add it to the allowlist as an exact name. The name is log text: one that the line
   * format would read as something else (a line break, a `*` wildcard, a `#` comment, spaces that are trimmed)
   * is refused rather than turned into a pattern.
   */
  suppressAccount(account: string): void {
    this.suppressProblem = null;
    if (/[\r\n*]/.test(account) || account.startsWith('#') || account.trim() !== account || account === '') {
      this.suppressProblem = 'This account name holds a line break, a *, a leading # or surrounding spaces, so the allowlist cannot hold it exactly. Add a line by hand if you mean a pattern.';
      return;
    }
    if (this.allowlist.some((a) => a.toLowerCase() === account.toLowerCase())) return;
    const text = this.allowlistText.replace(/\s*$/, '');
    this.setAllowlist(`${text}${text ? '\n' : ''}${account}\n`);
  }

  /** Remove the account's exact entries; a wildcard entry that still matches it stays (the user wrote it). */
  unsuppressAccount(account: string): void {
    const lines = this.allowlistText.split(/\r?\n/).filter((l) => l.trim().toLowerCase() !== account.toLowerCase());
    this.setAllowlist(lines.join('\n'));
  }

  /** Files are on their way (a fetch of the sample, a drop being read): results are stale from now. */
  async addFilesFrom(pending: Promise<{ file: Blob; name: string }[]>): Promise<void> {
    this.busy = true;
    this.warmUp?.abort(); // now, not once the files have arrived and their loads are queued
    try {
      this.addFiles(await pending);
    } catch (e) {
      this.runError = `Could not load: ${(e as Error).message ?? String(e)}`;
      this.requestRun(0);
    }
  }

  /** A parameter edit in the page: remembered in the URL (without a history entry) and re-run. */
  updateSettings(change: Partial<Settings>, writeHash: (hash: string) => void): void {
    this.settings = { ...this.settings, ...change };
    this.settingsProblems = [];
    writeHash(settingsToHash(this.settings));
    this.requestRun();
  }

  setAllowlist(text: string): void {
    this.allowlistText = text;
    saveAllowlistText(this.options.storage, text);
    this.requestRun();
  }

  addFiles(files: readonly File[] | readonly { file: Blob; name: string }[]): void {
    if (files.length === 0) return;
    this.busy = true;
    for (const f of files) {
      const file = f instanceof Blob ? f : f.file;
      const name = f instanceof File ? f.name : (f as { name: string }).name;
      const id = this.nextId++;
      this.blobs.set(id, file);
      this.sources = [...this.sources, { status: 'loading', id, name, size: file.size, progress: 'waiting for the engine' }];
      this.pendingLoads++;
      void this.withEngine(async (engine) => {
        if (!this.sources.some((s) => s.id === id)) return;
        const head = new Uint8Array(await file.slice(0, 8).arrayBuffer());
        const container = containerKindOf(head);
        if (container === 'gzip' || (container === 'zip' && !(await zipIsWorkbook(file)))) {
          const controller = new AbortController();
          this.loads.set(id, controller);
          await this.unpack(engine, id, file, name, controller.signal).finally(() => this.loads.delete(id));
        }
        else await this.loadOne(engine, id, file, name);
      }).catch((e: unknown) => {
        this.sources = this.sources.map((s) => (s.id === id ? { status: 'failed', id, name, size: file.size, problem: (e as Error).message ?? String(e) } : s));
      }).finally(() => {
        this.pendingLoads--;
        this.requestRun(0);
      });
    }
  }

  /** Load one file into the entry `id` (already in the list), unless the same content is loaded already. */
  private async loadOne(engine: Engine, id: number, file: Blob, name: string, options: { mapping?: ColumnMapping; sheet?: string } = {}): Promise<void> {
    if (!this.sources.some((s) => s.id === id)) return;
    const print = await fingerprint(file, name);
    const twin = this.sources.find((s) => s.id === this.fingerprints.get(print) && s.id !== id && s.status !== 'failed');
    if (twin) {
      this.sources = this.sources.map((s) => (s.id === id ? { status: 'failed', id, name, size: file.size,
        problem: `the same file as "${twin.name}", which is already loaded: not counted again`, duplicateOf: twin.name } : s));
      return;
    }
    this.fingerprints.set(print, id);
    this.patchLoading(id, 'reading');
    const storage = this.options.storage;
    const controller = new AbortController();
    this.loads.set(id, controller);
    const done = await loadSource(
      { engine, prefilter: combinedPrefilter(), prefilterHint: combinedPrefilterHint(), onProgress: (text, bytes) => this.patchLoading(id, text, bytes), rememberedMapping: (sig) => rememberedMapping(storage, sig),
        signal: controller.signal, evtxReader: this.options.evtxReader, chunkBytes: this.options.chunkBytes, startScanEngine: this.scanEngines ? () => this.scanEngines!.take() : undefined },
      { file, name, id, ordinal: id, ...options },
    ).finally(() => this.loads.delete(id));
    if (!this.sources.some((s) => s.id === id)) {
      if (done.status === 'ready') await unloadSource(engine, done);
      return;
    }
    if (done.status === 'failed') this.fingerprints.delete(print);
    this.sources = this.sources.map((s) => (s.id === id ? done : s));
    await this.refresh(engine);
  }

  /** Every member of an archive becomes its own source, listed where the archive was. */
  private async unpack(engine: Engine, archiveId: number, file: Blob, name: string, signal: AbortSignal): Promise<void> {
    const insert = (entry: SourceEntry) => {
      const at = this.sources.findIndex((s) => s.id === archiveId);
      if (at < 0) return false;
      this.sources = [...this.sources.slice(0, at), entry, ...this.sources.slice(at)];
      return true;
    };
    this.unpacking = archiveId;
    const parts = expandContainer(file, name, {
      askPassword: (r) => this.askPassword(r),
      onProgress: (text) => this.patchLoading(archiveId, text),
      signal,
    });
    try {
      await this.takeParts(engine, archiveId, file, name, parts, insert);
    } catch (e) {
      if ((e as Error).name !== 'AbortError') throw e;
    } finally {
      this.unpacking = null;
    }
  }

  /** The archive being unpacked, whose password prompt (if any) is answered when it is removed. */
  private unpacking: number | null = null;

  private async takeParts(engine: Engine, archiveId: number, file: Blob, name: string,
    parts: AsyncGenerator<ContainerMember | ContainerProblem>,
    insert: (entry: SourceEntry) => boolean): Promise<void> {
    let count = 0;
    for await (const part of parts) {
      if (!this.sources.some((s) => s.id === archiveId)) return; // removed while unpacking
      const id = this.nextId++;
      count++;
      if (part.kind === 'problem') {
        insert({ status: 'failed', id, name: part.path, size: 0, problem: part.problem });
        continue;
      }
      this.blobs.set(id, part.file);
      insert({ status: 'loading', id, name: part.path, size: part.file.size, progress: 'reading' });
      await this.loadOne(engine, id, part.file, part.path);
    }
    this.blobs.delete(archiveId);
    this.sources = count === 0
      ? this.sources.map((s) => (s.id === archiveId ? { status: 'failed', id: archiveId, name, size: file.size, problem: 'the archive holds no files' } : s))
      : this.sources.filter((s) => s.id !== archiveId);
  }

  private askPassword(request: PasswordRequest): Promise<string | null> {
    this.passwordAnswer?.(null);
    return new Promise((resolve) => {
      this.passwordRequest = request;
      this.passwordAnswer = resolve;
    });
  }

  /** The user's answer to `passwordRequest`; null skips the protected members. */
  answerPassword(password: string | null): void {
    const answer = this.passwordAnswer;
    this.passwordAnswer = null;
    this.passwordRequest = null;
    answer?.(password);
  }

  /** Bumped whenever the loaded events change (a load, a removal, a re-reading). */
  private dataRevision = 0;
  /** What the charts on show were computed for (see execute). */
  private chartsKey: string | null = null;
  /** Settles when the charts of the newest run are computed (or were kept). */
  private chartsWork: Promise<void> = Promise.resolve();
  /** The result the charts on show go with. */
  private chartsResult: DetectionResult | null = null;

  /**
   * The charts of `result` once they are computed (the alerts come first, the charts after them); null when there
   * are none for it, as when a newer run replaced it meanwhile.
   */
  async settledCharts(result: DetectionResult): Promise<ChartData | null> {
    await this.chartsWork;
    return this.chartsResult === result ? this.charts : null;
  }

  /** Point the events view at the loaded sources and show how many duplicates and twins each lost. */
  private async refresh(engine: Engine): Promise<void> {
    this.dataRevision++;
    const removed = await refreshEventsView(engine, this.loaded);
    const none: RemovedEvents = { twins: 0, duplicates: 0, net: 0 };
    const same = (a: RemovedEvents, b: RemovedEvents) => a.twins === b.twins && a.duplicates === b.duplicates && a.net === b.net;
    if (this.loaded.every((s) => same(s.removed, removed.get(s.id) ?? none))) return;
    this.sources = this.sources.map((s) => (s.status === 'ready' && !same(s.removed, removed.get(s.id) ?? none) ? { ...s, removed: removed.get(s.id) ?? none } : s));
  }

  /** Read a source again with the user's column mapping (remembered for files with the same header) or another sheet. */
  reloadSource(id: number, options: { mapping?: ColumnMapping; sheet?: string; signature?: string }): void {
    const entry = this.sources.find((s) => s.id === id);
    const file = this.blobs.get(id);
    if (!entry || !file || entry.status === 'loading') return;
    if (options.mapping && options.signature) rememberMapping(this.options.storage, options.signature, options.mapping);
    const keep = { mapping: options.mapping ?? (entry.status === 'ready' ? entry.mapping : undefined), sheet: options.sheet ?? entry.sheet };
    this.sources = this.sources.map((s) => (s.id === id ? { status: 'loading', id, name: entry.name, size: entry.size, progress: 'waiting for the engine' } : s));
    for (const [print, owner] of this.fingerprints) if (owner === id) this.fingerprints.delete(print);
    this.mutate(async (engine) => {
      if (entry.status === 'ready') {
        await refreshEventsView(engine, this.loaded);
        await unloadSource(engine, entry);
      }
      await this.loadOne(engine, id, file, entry.name, keep);
    });
  }

  private patchLoading(id: number, progress: string, bytes?: { done: number; total: number }) {
    this.sources = this.sources.map((s) => (s.id === id && s.status === 'loading' ? { ...s, progress, bytes } : s));
  }

  /** Loads under way, so that removing the entry (Cancel) stops the work between chunks. */
  private readonly loads = new Map<number, AbortController>();

  /**
   * Drop every loaded file, engine table and setting (the allowlist, the parameters). Nothing of the logs stays in
   * this tab or in the browser's storage afterwards.
   */
  forgetEverything(writeHash: (hash: string) => void): void {
    this.answerPassword(null);
    const loaded = this.loaded;
    this.sources = [];
    this.fingerprints.clear();
    this.blobs.clear();
    this.allowlistText = '';
    forgetStoredSettings(this.options.storage);
    this.settings = { ...DEFAULT_SETTINGS };
    this.settingsProblems = [];
    this.hashRevision++;
    writeHash(settingsToHash(this.settings));
    this.result = null;
    this.explanation = null;
    this.charts = null;
    this.runError = null;
    this.mutate(async (engine) => {
      await refreshEventsView(engine, []);
      for (const s of loaded) await unloadSource(engine, s);
      await engine.exec('DROP TABLE IF EXISTS lh_scan');
      await engine.exec('DROP TABLE IF EXISTS lh_stage');
    });
  }

  /**
   * Change what is loaded. Results go stale at once: any run already under way is superseded (it may not show
   * its result or clear the busy signal), and the next run starts only after the change.
   */
  private mutate(work: (engine: Engine) => Promise<void>): void {
    this.busy = true;
    this.requested++;
    this.pendingLoads++;
    void this.withEngine(work).catch(() => {}).finally(() => {
      this.pendingLoads--;
      this.requestRun(0);
    });
  }

  /** Remove a source; one still loading is cancelled (its work stops between chunks and what it built is dropped). */
  removeSource(id: number): void {
    const entry = this.sources.find((s) => s.id === id);
    if (!entry) return;
    this.loads.get(id)?.abort();
    if (this.unpacking === id) this.answerPassword(null);
    this.sources = this.sources.filter((s) => s.id !== id);
    this.blobs.delete(id);
    this.mutate(async (engine) => {
      if (entry.status !== 'ready') return;
      await this.refresh(engine);
      await unloadSource(engine, entry);
    });
  }

  reinterpretSource(id: number, change: Parameters<typeof reinterpret>[2]): void {
    this.mutate(async (engine) => {
      const current = this.sources.find((s) => s.id === id);
      if (current?.status !== 'ready') return;
      const next = await reinterpret(engine, current, change);
      this.sources = this.sources.map((s) => (s.id === id ? next : s));
      await this.refresh(engine);
    });
  }

  /** Mark results stale now; compute them after `delay` unless another request comes first. */
  requestRun(delay = this.options.debounceMs ?? 0): void {
    this.busy = true;
    const generation = ++this.requested;
    clearTimeout(this.runTimer);
    // Without a delay the run starts within this task, so its query reaches the engine before the page spends
    // time on anything the edit changed; an older request still waiting is skipped when its turn comes.
    if (delay <= 0) queueMicrotask(() => void this.execute(generation));
    else this.runTimer = setTimeout(() => void this.execute(generation), delay);
  }

  runParams(): RunParams | null {
    this.clockMs = (this.options.clock ?? Date.now)();
    if (this.cutoff === null) return null;
    return { cutoff: this.cutoff, binTicks: this.settings.binTicks, threshold: this.settings.threshold, allowlist: this.allowlist,
      mode: this.settings.mode, hardening: { ...this.settings.hardening } };
  }

  private async execute(generation: number): Promise<void> {
    if (this.pendingLoads > 0) return; // the last load to finish asks again
    const params = this.runParams();
    const sources = this.loaded;
    try {
      const outcome = await this.withEngine(async (engine) => {
        // An edit made while this run waited for the engine has asked for a newer one: skip straight to it.
        if (generation !== this.requested) return null;
        if (params === null) return { result: null, explanation: null };
        const result = await runDetection(engine, this.detection, params, sources);
        const explanation = result.alerts.length === 0 && sources.length > 0 ? await stageCounts(engine, this.detection, params) : null;
        return { result, explanation };
      });
      if (generation !== this.requested || outcome === null) return;
      this.result = outcome.result;
      this.explanation = outcome.explanation;
      this.resultParams = params;
      this.runError = null;
    } catch (e) {
      if (generation !== this.requested) return;
      this.result = null;
      this.explanation = null;
      this.charts = null;
      this.runError = (e as Error).message ?? String(e);
    }
    if (generation === this.requested && this.pendingLoads === 0) {
      this.busy = false;
      this.prepareSpareWhenIdle();
    }
    // The charts follow the alerts: they are not part of what #results shows, so a parameter edit updates the
    // alerts without waiting for them.
    if (params === null || sources.length === 0) { this.charts = null; this.chartsKey = null; return; }
    const range = this.latestEvent === null ? null : { min: this.earliestEvent ?? this.latestEvent, max: this.latestEvent };
    // The charts count every group, whatever the Threshold: a Threshold edit needs no new chart data (and its
    // queries would hold the engine up for the next edit's run).
    const key = JSON.stringify([this.dataRevision, params.cutoff.toString(), params.binTicks.toString(), params.allowlist, params.mode, params.hardening, range && [range.min.toString(), range.max.toString()]]);
    if (key === this.chartsKey && this.charts !== null) {
      this.chartsResult = this.result;
      return;
    }
    let computed!: () => void;
    this.chartsWork = new Promise<void>((resolve) => { computed = resolve; });
    try {
      const charts = await this.withEngine((engine) => chartData(engine, this.detection, params, range));
      // A Threshold edit leaves the data behind the charts as it was: keeping the same object keeps the pictures
      // (and a drag on the histogram that is under way) instead of redrawing them.
      if (generation === this.requested) {
        this.chartsKey = key;
        this.chartsResult = this.result;
        if (!sameChartData(this.charts, charts)) this.charts = charts;
      }
    } catch {
      if (generation === this.requested) this.charts = null;
    } finally {
      computed();
    }
  }

  /** Every loaded process event of the alert's account or devices within ±minutes of its first and last event. */
  around(alert: Alert, devices: string[], minutes: number): Promise<{ rows: EventRow[]; truncated: boolean }> {
    const span = BigInt(Math.round(minutes)) * TICKS_PER_MINUTE;
    const from = (parseInstant(alert.firstEvent) ?? alert.binTicks) - span;
    const to = (parseInstant(alert.lastEvent) ?? alert.binTicks) + span;
    const sources = this.loaded;
    return this.withEngine((engine) => aroundEvents(engine, sources, { account: alert.account, devices, fromTicks: from, toTicks: to, limit: 100_000 }));
  }

  /** Views the SQL console offers: the candidate rows, and each CSV source over its whole file. */
  consoleViews(): { name: string; about: string }[] {
    return [
      { name: 'candidates', about: 'the rows the detections read (net.exe / net1.exe candidates of every source), with exact times' },
      ...this.loaded.map((s) => ({ name: `source_${s.id}`, about: s.reread === 'csv' ? `${s.name}: every row of the file, its own column names` : `${s.name}: not available (only CSV files stay readable in the engine)` })),
    ];
  }

  /** Run the user's SQL over the loaded data; every column comes back as text. */
  runConsole(sql: string): Promise<{ columns: string[]; rows: Record<string, string>[]; truncated: boolean }> {
    const body = sql.trim().replace(/;\s*$/, '');
    const sources = this.loaded;
    return this.withEngine(async (engine) => {
      // Before any file was loaded (or after the last was removed) the events view may not exist yet.
      await this.refresh(engine);
      await engine.exec(`CREATE OR REPLACE VIEW candidates AS SELECT lh_fmt(lh_time) AS Time, * EXCLUDE (lh_values, lh_seq, lh_time) FROM lh_events`);
      for (const s of sources) {
        const view = sourceViewSql(s, `source_${s.id}`);
        // One view that cannot be made must not take the console down for the others.
        if (view) await engine.exec(view).catch(() => {});
      }
      const limit = 100_000;
      const rows = await engine.query(`SELECT COLUMNS(*)::VARCHAR FROM (${body}) LIMIT ${limit + 1}`);
      const columns = rows.length ? Object.keys(rows[0]!) : [];
      const text = rows.slice(0, limit).map((r) => Object.fromEntries(columns.map((c) => [c, r[c] === null || r[c] === undefined ? '' : String(r[c])])));
      return { columns, rows: text, truncated: rows.length > limit };
    });
  }

  /** The rows an alert counted, queried when it is expanded. */
  eventsOf(alert: Alert, suppressed = false): Promise<EventRow[]> {
    const params = this.resultParams;
    if (!params) return Promise.resolve([]);
    return this.withEngine((engine) => countedEvents(engine, this.detection, params, alert, suppressed));
  }
}

function sameChartData(a: ChartData | null, b: ChartData): boolean {
  if (a === null || a.sliceTicks !== b.sliceTicks || a.groups.length !== b.groups.length || a.timeline.length !== b.timeline.length) return false;
  return a.groups.every((g, i) => g.account === b.groups[i]!.account && g.bin === b.groups[i]!.bin && g.count === b.groups[i]!.count)
    && a.timeline.every((t, i) => t.time === b.timeline[i]!.time && t.action === b.timeline[i]!.action && t.count === b.timeline[i]!.count);
}
