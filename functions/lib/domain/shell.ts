/** Quoting for POSIX shells: every value interpolated into a script goes through `shellQuote`. */

/** Single-quotes a value for bash; embedded single quotes become '\''. */
export function shellQuote(value: string | number): string {
  const text = String(value);
  if (text.includes('\0')) throw new RangeError('a NUL byte cannot be passed to a shell');
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** A here-document body that is safe with a quoted delimiter: the delimiter line must not occur in it. */
export function heredoc(delimiter: string, body: string): string {
  if (!/^[A-Z_]+$/.test(delimiter)) throw new RangeError(`bad here-document delimiter ${delimiter}`);
  if (body.split('\n').includes(delimiter))
    throw new RangeError(`content contains the delimiter ${delimiter}`);
  const text = body.endsWith('\n') ? body : `${body}\n`;
  return `<<'${delimiter}'\n${text}${delimiter}`;
}
