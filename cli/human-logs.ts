/**
 * On a terminal, the Lambda code's JSON log records (Powertools, on stderr) become one readable line:
 * `  ⚠ message (key=value …)`. Other output passes through unchanged.
 */
const SKIP = new Set([
  'level',
  'message',
  'timestamp',
  'service',
  'sampling_rate',
  'cold_start',
  'xray_trace_id',
]);
const SKIP_PREFIX = ['function_', 'lambda_'];

export function humanLogLine(line: string): string | undefined {
  if (!line.startsWith('{"level":')) return undefined;
  try {
    const record = JSON.parse(line) as Record<string, unknown>;
    const mark = record.level === 'ERROR' ? '✗' : record.level === 'WARN' ? '⚠' : '·';
    const details = Object.entries(record)
      .filter(([k]) => !SKIP.has(k) && !SKIP_PREFIX.some((p) => k.startsWith(p)))
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
    return `          ${mark} ${String(record.message)}${details.length ? ` (${details.join(', ')})` : ''}`;
  } catch {
    return undefined;
  }
}

/**
 * Each record as its readable line, once: a warning already shown (the stand-in's, an emulator gap's, said
 * again for every broker) is not repeated; errors always are.
 */
export function humanLogFilter(): (text: string) => string {
  const shown = new Set<string>();
  return (text) =>
    text
      .split('\n')
      .flatMap((line) => {
        const human = humanLogLine(line);
        if (human === undefined) return [line];
        if (!human.includes(' ✗ ')) {
          if (shown.has(human)) return [];
          shown.add(human);
        }
        return [human];
      })
      .join('\n');
}

export function installHumanLogs(stream: NodeJS.WriteStream = process.stderr): void {
  const write = stream.write.bind(stream) as (chunk: string | Uint8Array, ...rest: unknown[]) => boolean;
  const filter = humanLogFilter();
  stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (!text.includes('{"level":')) return write(chunk, ...rest);
    const out = filter(text);
    return out === '' || out === '\n' ? true : write(out, ...rest);
  }) as typeof stream.write;
}
