/**
 * readHealth (functions/lib/steps/health.ts) with source `local`: the health script runs on this machine
 * against the harness's INTERNAL listeners, as `kafka-plc roll --local --kafka-bootstrap` does. For the
 * tests of the script and its parsers on real output; the roll itself reads through Run Command
 * (control-plane.ts).
 */
import { internalBootstrap } from '../../functions/lib/domain/health-script';
import type { Plan } from '../../functions/lib/domain/plan';
import { TOOL_JAVA_OPTS } from './kafka-jvm';

const HEALTH_ENV = [
  'KAFKA_PLC_HEALTH_SOURCE',
  'KAFKA_PLC_HEALTH_BOOTSTRAP',
  'KAFKA_PLC_KAFKA_HOME',
  'KAFKA_PLC_TOOL_JAVA_OPTS',
] as const;

/**
 * Runs `step` with readHealth pointed at the harness: source local, the INTERNAL listeners of `plan`
 * (where the script runs on AWS too), the tools' JVMs small. The previous environment is restored.
 */
export async function withLocalHealth<T>(plan: Plan, kafkaHome: string, step: () => Promise<T>): Promise<T> {
  const saved = HEALTH_ENV.map((key) => [key, process.env[key]] as const);
  Object.assign(process.env, {
    KAFKA_PLC_HEALTH_SOURCE: 'local',
    KAFKA_PLC_HEALTH_BOOTSTRAP: internalBootstrap(plan),
    KAFKA_PLC_KAFKA_HOME: kafkaHome,
    KAFKA_PLC_TOOL_JAVA_OPTS: TOOL_JAVA_OPTS.join(' '),
  });
  try {
    return await step();
  } finally {
    for (const [key, value] of saved) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}
