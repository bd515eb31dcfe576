// The npm registry this project is built against serves only some of
// rollup's per-platform binaries, so `npm install` leaves the others out of
// package-lock.json, and `npm ci` (CI's install) then refuses the lock as out
// of sync. This adds the missing entries, each marked optional with its os,
// cpu and libc, so `npm ci` skips them on machines they are not for.
// Run after any `npm install` that rewrites the lock: node scripts/complete-lock.mjs

import fs from 'node:fs';
const file = process.argv[2] ?? new URL('../package-lock.json', import.meta.url).pathname;
const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
const pk = lock.packages;
const rollup = pk['node_modules/rollup'];
const platform = (name) => {
  const s = name.replace('@rollup/rollup-', '');
  const [os, cpuRaw, abi] = s.split('-');
  const cpu = { arm: 'arm', arm64: 'arm64', x64: 'x64', ia32: 'ia32', loong64: 'loong64', ppc64: 'ppc64', riscv64: 'riscv64', s390x: 's390x' }[cpuRaw];
  if (!cpu) throw new Error('cpu? ' + name);
  const entry = { version: rollup.version, cpu: [cpu], dev: true };
  if (os === 'linux') entry.libc = [abi && abi.includes('musl') ? 'musl' : 'glibc'];
  entry.license = 'MIT';
  entry.optional = true;
  entry.os = [os];
  return entry;
};
let added = 0;
for (const name of Object.keys(rollup.optionalDependencies)) {
  const key = 'node_modules/' + name;
  if (!pk[key]) { pk[key] = platform(name); added++; }
}
lock.packages = Object.fromEntries(Object.entries(pk).sort(([a], [b]) => a === '' ? -1 : b === '' ? 1 : a.localeCompare(b)));
fs.writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
console.log('added', added);
