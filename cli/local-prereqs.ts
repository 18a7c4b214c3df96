/**
 * What the deployed stack provides to the Lambdas, created if absent for an in-process (`--local`) run:
 * the broker instance role and profile, the SNS topics for endpoint connection notifications and for alarms,
 * the roll lock table and the accept window table.
 */
import { ensureAcceptTable } from '../functions/lib/aws/accept-records';
import { ensureBrokerInstanceProfile } from '../functions/lib/aws/iam';
import { ensureLockTable } from '../functions/lib/aws/roll-locks';
import { createTopic, ensureTopic } from '../functions/lib/aws/sns';
import { acceptTableName, DEFAULT_STAGE, rollLockTableName } from '../functions/lib/domain/names';

export const LOCAL_INSTANCE_PROFILE = 'kafka-plc-broker';
export const LOCAL_TOPIC = 'kafka-plc-endpoint-connections';
export const LOCAL_ALARM_TOPIC = 'kafka-plc-alarms';
/** The default stage's roll lock table name (infra/roll-lock.yml). */
export const LOCAL_LOCK_TABLE = rollLockTableName(DEFAULT_STAGE);
/** The default stage's accept window table name (infra/accept-windows.yml). */
export const LOCAL_ACCEPT_TABLE = acceptTableName(DEFAULT_STAGE);

const prepared = new Set<string>();

/**
 * Sets the Lambdas' environment for a local run as `stage`'s stack would (KAFKA_PLC_STAGE, its tables).
 * Emulator mode (KAFKA_PLC_EMULATOR=1: an emulator's missing APIs tolerated) is never inferred from
 * AWS_ENDPOINT_URL, which may point at a real AWS endpoint (FIPS, a VPC endpoint, a proxy): whoever starts
 * an emulator sets it.
 */
export async function prepareLocalEnvironment(region: string, stage = DEFAULT_STAGE): Promise<void> {
  process.env.KAFKA_PLC_STAGE = stage;
  process.env.ROLL_LOCK_TABLE = rollLockTableName(stage);
  process.env.ACCEPT_TABLE = acceptTableName(stage);
  const key = `${process.env.AWS_ENDPOINT_URL ?? 'aws'}|${region}|${stage}|${process.env.CONNECTION_TOPIC_ARN ?? ''}`;
  if (prepared.has(key)) return;
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  const profile = process.env.BROKER_INSTANCE_PROFILE ?? LOCAL_INSTANCE_PROFILE;
  await ensureBrokerInstanceProfile(region, profile);
  process.env.BROKER_INSTANCE_PROFILE = profile;
  process.env.CONNECTION_TOPIC_ARN ??= await ensureTopic(region, LOCAL_TOPIC);
  process.env.ALARM_TOPIC_ARN ??= await createTopic(region, LOCAL_ALARM_TOPIC);
  await ensureLockTable(region, process.env.ROLL_LOCK_TABLE);
  await ensureAcceptTable(region, process.env.ACCEPT_TABLE);
  prepared.add(
    `${process.env.AWS_ENDPOINT_URL ?? 'aws'}|${region}|${stage}|${process.env.CONNECTION_TOPIC_ARN}`,
  );
}
