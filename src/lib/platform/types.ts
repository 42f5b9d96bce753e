/** How the engine's code reaches the page; the rest of the engine bootstrap is the same everywhere. */
export interface EngineAssets {
  worker: Worker;
  wasmUrl: string;
  extensionRepository: string;
}
