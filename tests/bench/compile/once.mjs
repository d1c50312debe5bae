// One compile (or `--check`) in this fresh process, as `stillwater compile` runs it.
// Prints {loadMs, compileMs, cpuMs} as JSON. Used by bench.mjs; caches follow
// STILLWATER_CACHE_DIR / STILLWATER_NO_CACHE from the environment.
const [notebook, outDir, mode] = process.argv.slice(2);
const t0 = performance.now();
const { compileNotebook, checkNotebook } = await import('@stillwater/kernel/pipeline');
const t1 = performance.now();
const cpu = process.cpuUsage();
if (mode === 'check') await checkNotebook(notebook);
else await compileNotebook(notebook, { outDir });
const t2 = performance.now();
const d = process.cpuUsage(cpu);
console.log(JSON.stringify({ loadMs: t1 - t0, compileMs: t2 - t1, cpuMs: (d.user + d.system) / 1000 }));
