/**
 * npm run bench [-- --json] [-- --only NAME[,NAME]]: runs every bench/*.bench.ts module (each exports
 * `name` and `run(): Promise<Record<string, number>>`) and prints one JSON object of all keys with
 * --json, a table otherwise. Figures are measured in this run; nothing here asserts a time.
 */
import { readdirSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface BenchModule {
  name: string;
  run: () => Promise<Record<string, number>>;
}

// Quiet Lambda logs (set before any module creates its logger: modules below are imported dynamically).
process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// What serverless.yml sets for every function of the default stage (the handlers run in this process).
process.env.KAFKA_PLC_STAGE ??= 'dev';

const { values } = parseArgs({
  options: { json: { type: 'boolean', default: false }, only: { type: 'string' } },
  strict: true,
});
const only = values.only?.split(',');
const dir = new URL('./', import.meta.url);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .sort();
const results: Record<string, number> = {};
for (const file of files) {
  const module = (await import(new URL(file, dir).href)) as BenchModule;
  if (only && !only.includes(module.name)) continue;
  const started = Date.now();
  process.stderr.write(`bench ${module.name}: running\n`);
  Object.assign(results, await module.run());
  process.stderr.write(`bench ${module.name}: done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
if (values.json) process.stdout.write(`${JSON.stringify(results)}\n`);
else for (const [key, value] of Object.entries(results)) process.stdout.write(`${key.padEnd(48)} ${value}\n`);
