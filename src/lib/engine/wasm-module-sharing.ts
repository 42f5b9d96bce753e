/// <reference lib="webworker" />
/**
 * Runs in an engine worker before DuckDB's own code. The first engine compiles DuckDB's wasm (tens of MB) and
 * hands the compiled module to the page; an engine started later (a scan helper) is given that module and
 * instantiates it instead of compiling again. Instances of one module share its machine code, including what the
 * browser has optimised while the first engine worked, so the helper runs at full speed from its first chunk.
 *
 * Self-contained (no outer names): the single-file build embeds its source text in the worker it makes.
 */
export function installWasmModuleSharing(): void {
  const scope = self as unknown as DedicatedWorkerGlobalScope;
  let given: WebAssembly.Module | null = null;
  scope.addEventListener('message', function take(event: MessageEvent) {
    const module = (event.data as { lhWasmModule?: WebAssembly.Module } | null)?.lhWasmModule;
    if (!module) return;
    event.stopImmediatePropagation(); // not a message for DuckDB's dispatcher
    scope.removeEventListener('message', take);
    given = module;
  });
  const compile = WebAssembly.instantiateStreaming.bind(WebAssembly);
  WebAssembly.instantiateStreaming = async (source, imports) => {
    if (given) {
      Promise.resolve(source).then((response) => response.body?.cancel(), () => {});
      return { module: given, instance: await WebAssembly.instantiate(given, imports) };
    }
    const result = await compile(source, imports);
    try {
      scope.postMessage({ lhWasmModule: result.module });
    } catch {
      // A browser that cannot pass a module on: helpers compile their own.
    }
    return result;
  };
}
