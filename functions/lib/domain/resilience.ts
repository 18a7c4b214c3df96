/**
 * What a planned topology cannot survive (pure): printed as warnings by `plan` and before `provision`, never
 * refused — a one-AZ test cluster is a legitimate choice, made knowingly. Three AZ IDs with a broker each is
 * the smallest topology that keeps producing with acks=all through the loss of any one broker or AZ.
 */
import { replicationDefaults } from './kafka-config';
import type { Plan } from './plan';

export function topologyWarnings(plan: Plan): string[] {
  const warnings: string[] = [];
  const brokers = plan.brokers.length;
  const azs = new Set(plan.brokers.map((b) => b.azId)).size;
  const { replicationFactor, minInsyncReplicas } = replicationDefaults(brokers);
  if (azs < 3)
    warnings.push(
      `${azs} AZ ID${azs === 1 ? '' : 's'}: an outage of ${azs === 1 ? 'that AZ stops the whole cluster' : `one AZ takes up to ${Math.ceil(brokers / azs)} of the ${brokers} brokers at once`}; three AZ IDs survive the loss of one`,
    );
  if (plan.kafka.voterNodeIds.length < 3)
    warnings.push(
      `${plan.kafka.voterNodeIds.length} KRaft controller (broker ${plan.kafka.voterNodeIds.join(', ')}): while it restarts or if it is lost, no metadata change happens (leader elections included); 3 brokers or more give a quorum of 3`,
    );
  if (replicationFactor < 3)
    warnings.push(
      `${brokers} broker${brokers === 1 ? '' : 's'}: replication factor ${replicationFactor}, min.insync.replicas ${minInsyncReplicas} — ${brokers === 1 ? 'losing the broker loses every partition' : 'a lost broker leaves acks=all writes on a single copy'}`,
    );
  return warnings;
}
