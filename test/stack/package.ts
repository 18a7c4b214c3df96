/**
 * The output of `npm run package` (osls, offline, no credentials; run by vitest's global setup, again here only
 * if its inputs changed since) and what it wrote:
 * the CloudFormation template and the per-function zips, unpacked under out/stack-bundles/.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { ensurePackagedTemplate } from '../aws-model/template';
import { ROOT } from '../helpers/tools';
import type { Template } from './iam';

const run = promisify(execFile);
const require = createRequire(import.meta.url);

export const TEMPLATE = `${ROOT}.serverless/cloudformation-template-update-stack.json`;
export const BUNDLES = `${ROOT}out/stack-bundles`;

export interface ServerlessConfig {
  functions: Record<string, { handler: string; timeout?: number; events?: Record<string, unknown>[] }>;
  stepFunctions: { stateMachines: Record<string, { name: string; definition: string }> };
}

export function serverlessConfig(): ServerlessConfig {
  return parse(readFileSync(`${ROOT}serverless.yml`, 'utf8')) as ServerlessConfig;
}

/** Handler files and state machine definitions serverless.yml names that do not exist (infra/check-sources.cjs). */
export function missingSources(): string[] {
  const check = require(`${ROOT}infra/check-sources.cjs`) as {
    missingSources: (dir: string) => { missing: string[] };
  };
  return check.missingSources(ROOT.replace(/\/$/, '')).missing;
}

export interface Packaged {
  template: Template;
  seconds: number;
  /** Function key → unpacked bundle file (handler.cjs) and its size. */
  bundles: Map<string, { file: string; bytes: number }>;
}

/** The packaged stack: packaged again only when vitest's global setup left no current template. */
export async function packageStack(): Promise<Packaged> {
  const seconds = await ensurePackagedTemplate();
  const template = JSON.parse(readFileSync(TEMPLATE, 'utf8')) as Template;
  rmSync(BUNDLES, { recursive: true, force: true });
  const bundles = new Map<string, { file: string; bytes: number }>();
  for (const zip of readdirSync(`${ROOT}.serverless`).filter((f) => f.endsWith('.zip'))) {
    const key = zip.replace(/\.zip$/, '');
    const dir = `${BUNDLES}/${key}`;
    mkdirSync(dir, { recursive: true });
    await run('unzip', ['-q', '-o', `${ROOT}.serverless/${zip}`, '-d', dir]);
    const handler = serverlessConfig().functions[key]?.handler ?? '';
    const file = `${dir}/${handler.slice(0, handler.lastIndexOf('.'))}.cjs`;
    bundles.set(key, { file, bytes: existsSync(file) ? statSync(file).size : 0 });
  }
  return { template, seconds, bundles };
}

export async function cfnLint(): Promise<{ level: string; rule: string; message: string; where: string }[]> {
  const args = ['--config-file', 'infra/cfn-lint.yml', '--format', 'json'];
  const out = await run(`${ROOT}.venv/bin/cfn-lint`, args, { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 }).catch(
    (error: { stdout?: string; code?: number; message: string }) => {
      // cfn-lint exits non-zero when it reports anything; its JSON is on stdout either way.
      if (error.stdout) return { stdout: error.stdout };
      throw error;
    },
  );
  return (
    JSON.parse(out.stdout || '[]') as {
      Level: string;
      Rule: { Id: string };
      Message: string;
      Location: { Path: unknown[] };
    }[]
  ).map((m) => ({ level: m.Level, rule: m.Rule.Id, message: m.Message, where: m.Location.Path.join('/') }));
}
