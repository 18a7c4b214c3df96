/**
 * What each broker runs, recorded where it lasts: the instance's APPLIED_CONFIG_TAG holds the hash of the
 * last configuration command that succeeded on it. SSM keeps command history for a limited time (about 30
 * days), so the history alone cannot say, a month later, that a broker already runs a configuration — or
 * that it runs another one and must not be restarted together with the rest (decideWithRecord).
 */
import * as discovery from '../aws/ec2-discovery';
import * as instances from '../aws/ec2-instances';
import { APPLIED_CONFIG_TAG } from '../domain/names';
import { moduleLogger } from '../logger';

const log = moduleLogger('applied-config');

/** Instance ID → the configuration hash its tag records (absent: never recorded). */
export async function recordedConfigs(
  region: string,
  instanceIds: string[],
): Promise<Map<string, string | undefined>> {
  const found = await instances.instancesById(region, instanceIds);
  return new Map(found.map((i) => [i.instanceId, i.tags[APPLIED_CONFIG_TAG]]));
}

/** Records that `instanceId` runs the configuration `hash` (after its command succeeded). */
export async function recordAppliedConfig(region: string, instanceId: string, hash: string): Promise<void> {
  await discovery.addTags(region, [instanceId], { [APPLIED_CONFIG_TAG]: hash });
  log.info('applied configuration recorded', { instanceId, hash });
}
