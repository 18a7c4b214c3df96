import { readFile } from 'node:fs/promises';
import { SpecValidationError, UsageError } from '../functions/lib/errors';
import { type ClusterSpec, parseClusterSpec } from '../functions/lib/spec';

/** Reads and validates a cluster spec file; every failure is a user error (exit 2) naming the file. */
export async function loadSpecFile(path: string): Promise<ClusterSpec> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new UsageError(`--spec ${path}: cannot read the file (${code})`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SpecValidationError(
      [{ path: '(file)', value: path, message: `is not valid JSON: ${(error as Error).message}` }],
      { cause: error },
    );
  }
  return parseClusterSpec(json);
}
