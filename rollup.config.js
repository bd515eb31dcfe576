// Builds each entry point as ESM (.js) and CJS (.cjs), with bundled .d.ts, into dist/.
import { existsSync } from 'node:fs';
import typescript from '@rollup/plugin-typescript';
import { dts } from 'rollup-plugin-dts';

const entries = Object.fromEntries(
  Object.entries({
    index: 'lib/index.ts',
    actors: 'actors/index.ts',
    supervision: 'supervision/index.ts',
    testing: 'testing/index.ts',
  }).filter(([, file]) => existsSync(file)),
);
const external = (id) => /^(rxjs|immer)(\/|$)/.test(id) || id.startsWith('node:');
const sources = ['lib/**/*.ts', 'actors/**/*.ts', 'supervision/**/*.ts', 'testing/**/*.ts'];
// The runtime's modules import each other only inside functions (hub <-> greenlet, timeout <-> call).
const onwarn = (warning, warn) => {
  if (warning.code !== 'CIRCULAR_DEPENDENCY') warn(warning);
};

export default [
  {
    input: entries,
    external,
    onwarn,
    output: [
      { dir: 'dist', format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
      { dir: 'dist', format: 'cjs', entryFileNames: '[name].cjs', chunkFileNames: 'chunks/[name]-[hash].cjs' },
    ],
    plugins: [typescript({ tsconfig: './tsconfig.json', include: sources, noEmit: false, outDir: 'dist' })],
  },
  {
    input: entries,
    external,
    onwarn,
    output: { dir: 'dist', format: 'es', entryFileNames: '[name].d.ts', chunkFileNames: 'chunks/[name]-[hash].d.ts' },
    plugins: [dts({ tsconfig: './tsconfig.json' })],
  },
];
