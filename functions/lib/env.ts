/** Required environment of a Lambda: fails fast naming the missing variable. */
import { ConfigurationError } from './errors';

export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new ConfigurationError(`environment variable ${name} is not set`);
  return value;
}
