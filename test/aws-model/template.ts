/**
 * The packaged CloudFormation template (`npm run package`, offline) the IAM model judges calls against.
 * `ensurePackagedTemplate` packages only when the template is missing or older than what goes into it
 * (serverless.yml, infra/, state-machine/, functions/): vitest's global setup calls it once per run.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../helpers/tools';
import type { Template } from './iam';

const run = promisify(execFile);
export const TEMPLATE = `${ROOT}.serverless/cloudformation-template-update-stack.json`;
const INPUTS = ['serverless.yml', 'infra', 'state-machine', 'functions', 'package-lock.json'];

function newestInput(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestInput(join(path, name))));
}

export function templateIsCurrent(): boolean {
  if (!existsSync(TEMPLATE)) return false;
  const built = statSync(TEMPLATE).mtimeMs;
  return INPUTS.every((input) => newestInput(`${ROOT}${input}`) <= built);
}

/** `npm run package` (osls, offline, dummy credentials, no endpoint); returns the seconds it took. */
export async function runPackage(): Promise<number> {
  const env: NodeJS.ProcessEnv = { ...process.env, AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x' };
  for (const name of ['AWS_ENDPOINT_URL', 'AWS_PROFILE', 'AWS_SESSION_TOKEN']) delete env[name];
  const started = performance.now();
  try {
    await run('npm', ['run', 'package', '--silent'], { cwd: ROOT, env, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`npm run package failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
  return (performance.now() - started) / 1000;
}

/** Packages the stack unless the template is current; returns the seconds spent (0 when current). */
export async function ensurePackagedTemplate(): Promise<number> {
  return templateIsCurrent() ? 0 : runPackage();
}

export function packagedTemplate(): Template {
  if (!existsSync(TEMPLATE)) {
    throw new Error(`${TEMPLATE} is missing: run "npm run package" (vitest's global setup does)`);
  }
  return JSON.parse(readFileSync(TEMPLATE, 'utf8')) as Template;
}
