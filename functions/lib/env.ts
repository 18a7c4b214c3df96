/** Required environment of a Lambda: fails fast naming the missing variable. */
import { STAGE_PATTERN } from './domain/names';
import { ConfigurationError } from './errors';

export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new ConfigurationError(`environment variable ${name} is not set`);
  return value;
}

/** The stage of the stack this function belongs to: KAFKA_PLC_STAGE, set for every function (serverless.yml). */
export function deployedStage(): string {
  const stage = requireEnv('KAFKA_PLC_STAGE');
  if (!STAGE_PATTERN.test(stage))
    throw new ConfigurationError(
      `environment variable KAFKA_PLC_STAGE is "${stage}", not a stage name (letters, digits, hyphens; at most 28)`,
    );
  return stage;
}
