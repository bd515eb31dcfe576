// Builds each entry point into dist/: the runtime once, as CommonJS (<name>.cjs),
// an ES module entry over it (<name>.js), and bundled declarations (<name>.d.cts).
//
// One copy, not an ESM build beside a CJS build: a program that both imports
// and requires grove (its own code and a dependency, say) would otherwise load
// the runtime twice, with two hubs, two Greenlet classes and two registries
// (Node's dual-package hazard). Each <name>.js imports <name>.cjs and
// re-exports its members, so both ways of loading reach the same objects.
// Both read the one set of declarations, <name>.d.cts: to TypeScript, as to
// Node, grove is a CommonJS package whose names ES modules import.
import { existsSync } from 'node:fs';
import typescript from '@rollup/plugin-typescript';
import { dts } from 'rollup-plugin-dts';

const entries = Object.fromEntries(
  Object.entries({
    index: 'lib/index.ts',
    actors: 'actors/index.ts',
    supervision: 'supervision/index.ts',
    testing: 'testing/index.ts',
    server: 'server/index.ts',
    cluster: 'cluster/index.ts',
    observer: 'observer/index.ts',
    zeromq: 'zeromq/index.ts',
  }).filter(([, file]) => existsSync(file)),
);
// A worker thread's first module (cluster/thread.ts starts threads on it): built beside the entries, so a
// thread loads the same runtime chunks as the module it runs; no ES module entry or declarations of its own.
const internalEntries = existsSync('cluster/boot.ts') ? { 'cluster-boot': 'cluster/boot.ts' } : {};
const external = (id) => /^(rxjs|immer|msgpackr|ws|zeromq|@nats-io\/[a-z-]+)(\/|$)/.test(id) || id.startsWith('node:');
const sources = ['lib/**/*.ts', 'actors/**/*.ts', 'supervision/**/*.ts', 'testing/**/*.ts', 'server/**/*.ts', 'cluster/**/*.ts', 'observer/**/*.ts', 'zeromq/**/*.ts'];
// The runtime's modules import each other only inside functions (hub <-> greenlet, timeout <-> call).
// `Homed` (lib/internal/linkable.ts) is the base of Event's and the locks' bases: it must appear in their
// declarations, but it has only internal members and no type a user's code would infer names it, so the
// TS2742 risk rollup-plugin-dts warns of cannot arise; it stays unexported rather than become public API.
const explainedDtsWarning = /references private shared type exports with no public re-export: Homed\./;
const onwarn = (warning, warn) => {
  if (warning.code === 'CIRCULAR_DEPENDENCY' || explainedDtsWarning.test(warning.message)) return;
  warn(warning);
};

/** Writes <name>.js beside each CJS entry: an ES module re-exporting that entry's members. */
function esmEntries() {
  return {
    name: 'grove-esm-entries',
    generateBundle(_options, bundle) {
      for (const chunk of Object.values(bundle)) {
        if (chunk.type !== 'chunk' || !chunk.isEntry || !(chunk.name in entries)) continue;
        const names = chunk.exports.filter((name) => name !== 'default');
        const lines = [
          `// The ES module entry of grove's ${chunk.name === 'index' ? 'root' : chunk.name} entry point: the one runtime copy is ./${chunk.fileName}.`,
          `import entry from './${chunk.fileName}';`,
          `export const { ${names.join(', ')} } = entry;`,
          'export default entry;',
          '',
        ];
        this.emitFile({ type: 'asset', fileName: `${chunk.name}.js`, source: lines.join('\n') });
      }
    },
  };
}

export default [
  {
    input: { ...entries, ...internalEntries },
    external,
    onwarn,
    output: {
      dir: 'dist',
      format: 'cjs',
      entryFileNames: '[name].cjs',
      chunkFileNames: 'chunks/[name]-[hash].cjs',
      plugins: [esmEntries()],
    },
    plugins: [typescript({ tsconfig: './tsconfig.json', include: sources, noEmit: false, outDir: 'dist' })],
  },
  {
    input: entries,
    external,
    onwarn,
    output: { dir: 'dist', format: 'es', entryFileNames: '[name].d.cts', chunkFileNames: 'chunks/[name]-[hash].d.cts' },
    // Members marked @internal are the runtime's own machinery: they are left out of the published types.
    plugins: [dts({ tsconfig: './tsconfig.json', compilerOptions: { stripInternal: true } })],
  },
];
