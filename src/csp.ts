/**
 * The page's Content-Security-Policy, sent by the dev and preview servers and written into index.html as a meta tag.
 * Everything comes from the app's own origin. 'wasm-unsafe-eval' lets the engine compile its WebAssembly (without
 * it DuckDB hangs); inline styles are allowed for style attributes and the style elements charts inject. No other
 * origin appears anywhere in it.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self'",
  "connect-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
].join('; ');
