/**
 * Bundle benchmark: size and cold import time of every packaged Lambda bundle, and how much the code
 * around the AWS SDK adds to a cold start.
 *
 *   npx tsx scripts/bench-bundles.ts [--runs 5] [--no-package]
 *
 * Packages the stack (`npm run package`, offline) unless --no-package, unpacks each function zip, then for
 * each bundle takes the minimum of N cold `node` processes that only `require()` it (timed inside the
 * process, so node's own start-up is excluded). The baseline of a bundle is a bare bundle (same esbuild
 * options) that imports only the SDK clients that bundle carries; the overhead ratio is bundle ÷ baseline.
 * Prints one JSON object on stdout: bundle_bytes_max, bundle_bytes_total, cold_import_ms_max,
 * cold_import_overhead_ratio_max, and per-function figures.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { parseArgs, promisify } from 'node:util';
import { build } from 'esbuild';
import { parse } from 'yaml';
import { SDK_CLIENTS, sdkClientsIn } from './bundle-clients';

const run = promisify(execFile);
const ROOT = new URL('../', import.meta.url).pathname;
const WORK = `${ROOT}out/bench-bundles`;
const CLASS = SDK_CLIENTS;

let runs = 5;

async function coldImportMs(file: string): Promise<number> {
  const probe =
    'const t = process.hrtime.bigint(); require(process.argv[1]); ' +
    'process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6));';
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) {
    const { stdout } = await run(process.execPath, ['-e', probe, file], {
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    best = Math.min(best, Number(stdout));
  }
  return best;
}

/** The SDK clients a bundle carries. */
function clientsIn(file: string): string[] {
  return sdkClientsIn(readFileSync(file, 'utf8'));
}

async function bareBundle(clients: string[]): Promise<string> {
  const name = clients.join('+') || 'none';
  const dir = `${WORK}/bare`;
  mkdirSync(dir, { recursive: true });
  const entry = `${dir}/${name}.ts`;
  writeFileSync(
    entry,
    `${clients.map((c) => `import { ${CLASS[c]} } from '@aws-sdk/client-${c}';`).join('\n')}\n` +
      `export const clients = [${clients.map((c) => CLASS[c]).join(', ')}];\n`,
  );
  const outfile = `${dir}/${name}.cjs`;
  // The options of serverless.yml's custom.esbuild.
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    minify: true,
    keepNames: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    nodePaths: [`${ROOT}node_modules`],
    logLevel: 'silent',
  });
  return outfile;
}

export interface BundleBench {
  bundle_bytes_max: number;
  bundle_bytes_total: number;
  cold_import_ms_max: number;
  cold_import_overhead_ratio_max: number;
  [key: string]: unknown;
}

export async function benchBundles(
  options: { runs?: number; packageFirst?: boolean } = {},
): Promise<BundleBench> {
  runs = options.runs ?? 5;
  if (options.packageFirst !== false) {
    await run('npm', ['run', 'package', '--silent'], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
  }
  const config = parse(readFileSync(`${ROOT}serverless.yml`, 'utf8')) as {
    functions: Record<string, { handler: string }>;
  };
  rmSync(WORK, { recursive: true, force: true });
  const perFunction: Record<
    string,
    { bytes: number; clients: string[]; coldImportMs: number; ratio: number }
  > = {};
  const baselines = new Map<string, number>();
  for (const zip of readdirSync(`${ROOT}.serverless`).filter((f) => f.endsWith('.zip'))) {
    const key = zip.replace(/\.zip$/, '');
    const handler = config.functions[key]?.handler ?? '';
    const dir = `${WORK}/${key}`;
    mkdirSync(dir, { recursive: true });
    await run('unzip', ['-q', '-o', `${ROOT}.serverless/${zip}`, '-d', dir]);
    const file = `${dir}/${handler.slice(0, handler.lastIndexOf('.'))}.cjs`;
    const clients = clientsIn(file);
    const setName = clients.join('+');
    if (!baselines.has(setName)) baselines.set(setName, await coldImportMs(await bareBundle(clients)));
    const ms = await coldImportMs(file);
    perFunction[key] = {
      bytes: statSync(file).size,
      clients,
      coldImportMs: Math.round(ms * 10) / 10,
      ratio: Math.round((ms / (baselines.get(setName) ?? ms)) * 100) / 100,
    };
  }
  const all = Object.values(perFunction);
  const result = {
    node: process.version,
    runs_per_measurement: runs,
    functions: all.length,
    bundle_bytes_max: Math.max(...all.map((f) => f.bytes)),
    bundle_bytes_total: all.reduce((n, f) => n + f.bytes, 0),
    cold_import_ms_max: Math.max(...all.map((f) => f.coldImportMs)),
    cold_import_overhead_ratio_max: Math.max(...all.map((f) => f.ratio)),
    baseline_cold_import_ms: Object.fromEntries(
      [...baselines].map(([set, ms]) => [set || 'none', Math.round(ms * 10) / 10]),
    ),
    per_function: perFunction,
  };
  return result;
}

// Run as a script: npx tsx scripts/bench-bundles.ts [--runs 5] [--no-package]
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\/scripts\//, '/scripts/'))) {
  const { values } = parseArgs({
    options: { runs: { type: 'string', default: '5' }, 'no-package': { type: 'boolean', default: false } },
  });
  const result = await benchBundles({ runs: Number(values.runs), packageFirst: !values['no-package'] });
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
