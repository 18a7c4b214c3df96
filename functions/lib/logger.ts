/** One Powertools logger for the process (JSON lines); modules take a child with their own name. */
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({ serviceName: 'kafka-plc' });

export function moduleLogger(module: string): Logger {
  return logger.createChild({ persistentKeys: { module } });
}

/** True when running against a local emulator (set by `kafka-plc … --local` and the emulator tests). */
export function emulatorMode(): boolean {
  return process.env.KAFKA_PLC_EMULATOR === '1';
}
