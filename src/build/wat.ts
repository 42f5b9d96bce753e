import initWabt from 'wabt';

/**
 * `import bytes from './x.wat'`: the WebAssembly text compiled at build time (wabt), as a Uint8Array in the
 * bundle. The source of a hand-written kernel stays readable in the repository, and no compiled binary is kept
 * beside it to drift from it.
 */
export function watModules() {
  let wabt: ReturnType<typeof initWabt> | undefined;
  return {
    name: 'localhunt-wat',
    async transform(text: string, id: string) {
      if (!id.endsWith('.wat')) return null;
      wabt ??= initWabt();
      const module = (await wabt).parseWat(id, text, { simd: true, mutable_globals: true });
      try {
        module.validate();
        const { buffer } = module.toBinary({});
        const base64 = Buffer.from(buffer).toString('base64');
        return { code: `export default Uint8Array.from(atob(${JSON.stringify(base64)}), (c) => c.charCodeAt(0));`, map: null };
      } finally {
        module.destroy();
      }
    },
  };
}
