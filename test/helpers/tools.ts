import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A tool installed by scripts/setup-tools.sh into .venv; fails loudly if setup did not run. */
export function venvTool(name: string): string {
  const path = `${ROOT}.venv/bin/${name}`;
  if (!existsSync(path))
    throw new Error(`${path} is missing: run "npm run test:setup" (npm test does it first)`);
  return path;
}
