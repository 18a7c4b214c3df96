/**
 * Brokers: launch one EC2 instance per planned broker at its planned private IP (looked up by tag first),
 * wait until running and managed by SSM, then configure each through SSM Run Command with the script the
 * planner rendered for it, and wait for every command to finish.
 */
import * as instances from '../aws/ec2-instances';
import { hasCode } from '../aws/errors';
import * as ssm from '../aws/ssm';
import { renderBrokerScript } from '../domain/broker-script';
import {
  brokerCommands,
  commandComment,
  commandFailedError,
  decideWithRecord,
  invocationOutcome,
  scriptHash,
} from '../domain/commands';
import { launchClientToken } from '../domain/names';
import { planCluster } from '../domain/plan';
import { ROLES, resourceTags } from '../domain/tags';
import { requireEnv } from '../env';
import { ConfigurationError, ResourceConflictError, UnsupportedChangeError } from '../errors';
import { moduleLogger } from '../logger';
import type { ClusterSpec } from '../spec';
import { recordAppliedConfig, recordedConfigs } from './applied-config';
import { secretVersionFor } from './consumer-secret';
import type { NetworkRefs, ReadyStatus } from './network';
import { sendToClusterInstance } from './run-command';

const log = moduleLogger('brokers');
export const VOTERS_TAG = 'kafka-plc:quorum-voters';
export const ROOT_VOLUME_GIB = 64;
export const CONFIGURE_TIMEOUT_SECONDS = 1200;

export interface BrokerRef {
  nodeId: number;
  instanceId: string;
  privateIp: string;
}

export interface BrokersRefs {
  brokers: BrokerRef[];
  launched: number[];
}

/**
 * `attempt` names this provisioning attempt (the state machine passes its execution name): it makes each
 * launch's ClientToken (launchClientToken).
 */
export async function launchBrokers(
  spec: ClusterSpec,
  network: NetworkRefs,
  attempt: string,
): Promise<BrokersRefs> {
  const plan = planCluster(spec);
  const region = plan.region;
  const profile = requireEnv('BROKER_INSTANCE_PROFILE');
  const existing = await instances.clusterInstances(region, plan.clusterName);

  for (const instance of existing) {
    const voters = instance.tags[VOTERS_TAG];
    if (voters !== undefined && voters !== plan.kafka.controllerQuorumVoters) {
      throw new UnsupportedChangeError(
        `broker ${instance.instanceId} runs with KRaft voters ${voters}; this spec needs ${plan.kafka.controllerQuorumVoters}. ` +
          'A static KRaft quorum cannot change in Kafka 3.7: keep at least 3 brokers from the start, or create a new cluster.',
      );
    }
  }
  const stopped = existing.filter((i) => i.state === 'stopped').map((i) => i.instanceId);
  if (stopped.length > 0) {
    log.info('starting stopped brokers', { instanceIds: stopped });
    await instances.startInstances(region, stopped);
  }

  let imageId: string | undefined;
  let rootDevice: string | undefined;
  const refs: BrokerRef[] = [];
  const launched: number[] = [];
  for (const broker of plan.brokers) {
    const role = ROLES.broker(broker.nodeId);
    let instance = existing.find((i) => i.tags['kafka-plc:role'] === role);
    if (instance && instance.privateIp !== broker.privateIp) {
      throw new ResourceConflictError(
        `broker ${broker.nodeId} (${instance.instanceId}) has IP ${instance.privateIp}, planned ${broker.privateIp}`,
      );
    }
    // A running broker is never replaced or resized by provisioning (its data, and the quorum, would go with it).
    if (instance && instance.instanceType !== plan.instances.type) {
      throw new UnsupportedChangeError(
        `instanceType: planned ${plan.instances.type}, broker ${broker.nodeId} (${instance.instanceId}) is ${instance.instanceType}; ` +
          'provisioning does not resize running brokers (kafka-plc plan --live lists what it would change)',
      );
    }
    if (!instance) {
      const subnetId = network.subnetIdsByName[broker.subnetName];
      if (!subnetId) throw new ResourceConflictError(`no subnet ${broker.subnetName} in the network refs`);
      if (!imageId) {
        imageId = (await ssm.getParameter(region, plan.instances.amiParameter))?.value;
        if (!imageId)
          throw new ConfigurationError(`AMI parameter ${plan.instances.amiParameter} not found in ${region}`);
        rootDevice = await instances.rootDeviceName(region, imageId);
      }
      const tags = {
        ...resourceTags(plan.clusterName, role),
        Name: `${plan.clusterName}-${broker.name}`,
        [VOTERS_TAG]: plan.kafka.controllerQuorumVoters,
        'kafka-plc:node-id': String(broker.nodeId),
        'kafka-plc:az-id': broker.azId,
      };
      try {
        instance = await instances.launchInstance(region, {
          imageId,
          instanceType: plan.instances.type,
          subnetId,
          privateIp: broker.privateIp,
          securityGroupId: network.brokerSecurityGroupId,
          instanceProfileName: profile,
          rootDeviceName: rootDevice ?? '/dev/xvda',
          volumeSizeGiB: ROOT_VOLUME_GIB,
          tags,
          clientToken: launchClientToken(plan.clusterName, broker.nodeId, attempt),
        });
        launched.push(broker.nodeId);
        log.info('launched broker', {
          nodeId: broker.nodeId,
          instanceId: instance.instanceId,
          ip: broker.privateIp,
        });
      } catch (error) {
        if (!hasCode(error, 'InvalidIPAddress.InUse')) throw error;
        const holder = await instances.instanceAtIp(region, network.vpcId, broker.privateIp);
        if (
          !holder ||
          holder.tags['kafka-plc:role'] !== role ||
          holder.tags['kafka-plc:cluster'] !== plan.clusterName
        ) {
          throw new ResourceConflictError(
            `broker ${broker.nodeId}'s planned IP ${broker.privateIp} is used by ${holder?.instanceId ?? 'another network interface'}`,
            { cause: error },
          );
        }
        instance = holder;
      }
    }
    refs.push({ nodeId: broker.nodeId, instanceId: instance.instanceId, privateIp: broker.privateIp });
  }
  return { brokers: refs, launched };
}

export async function brokersReady(spec: ClusterSpec, refs: BrokersRefs): Promise<ReadyStatus> {
  const ids = refs.brokers.map((b) => b.instanceId);
  const found = await instances.instancesById(spec.region, ids);
  const notRunning = found.filter((i) => i.state !== 'running');
  if (notRunning.length > 0 || found.length < ids.length) {
    return {
      ready: false,
      detail: `waiting for ${notRunning.map((i) => `${i.instanceId} (${i.state})`).join(', ') || 'instances'} to run`,
    };
  }
  const online = await ssm.onlineManagedInstances(spec.region, ids);
  const offline = ids.filter((id) => !online.has(id));
  if (offline.length > 0) return { ready: false, detail: `waiting for SSM agent on ${offline.join(', ')}` };
  return { ready: true, detail: `${ids.length} brokers running and managed by SSM` };
}

export interface ConfigureCommand {
  nodeId: number;
  instanceId: string;
  /** The command to wait for; none when the instance's applied-config tag already names this configuration. */
  commandId?: string;
  sent: boolean;
  /** The configuration's scriptHash, recorded on the instance once its command succeeded. */
  hash: string;
  /** What the instance's applied-config tag said before (recording is skipped when it is already this). */
  recorded?: string;
}

/**
 * Sends each broker its script unless it already runs it (per the command history, or — once that has
 * expired — per the instance's applied-config tag). A broker running another configuration is refused:
 * provisioning never restarts running brokers together.
 */
export async function configureBrokers(
  spec: ClusterSpec,
  refs: BrokersRefs,
): Promise<{ commands: ConfigureCommand[] }> {
  const plan = planCluster(spec);
  const recorded = await recordedConfigs(
    plan.region,
    refs.brokers.map((b) => b.instanceId),
  );
  const commands: ConfigureCommand[] = [];
  const secretVersion = await secretVersionFor(spec);
  for (const ref of refs.brokers) {
    const broker = plan.brokers.find((b) => b.nodeId === ref.nodeId);
    if (!broker) throw new ResourceConflictError(`broker ${ref.nodeId} is not in the plan`);
    const script = renderBrokerScript(plan, broker, secretVersion);
    const hash = scriptHash(script);
    const history = brokerCommands(
      await ssm.commandsFor(plan.region, ref.instanceId),
      plan.clusterName,
      broker.nodeId,
    );
    const record = recorded.get(ref.instanceId);
    const decision = decideWithRecord(history, hash, record);
    const known = { nodeId: broker.nodeId, instanceId: ref.instanceId, hash, recorded: record };
    if (decision.action === 'send' && decision.appliedHash !== undefined && decision.appliedHash !== hash) {
      throw new UnsupportedChangeError(
        `broker ${broker.nodeId} (${ref.instanceId}) runs another configuration (${decision.appliedHash}, planned ${hash}); ` +
          'provisioning never restarts running brokers together: change a running cluster with "kafka-plc roll" (one broker at a time)',
      );
    }
    if (decision.action === 'send') {
      const commandId = await sendToClusterInstance(plan.region, plan.clusterName, {
        instanceId: ref.instanceId,
        script,
        comment: commandComment('configure', plan.clusterName, broker.nodeId, hash),
        timeoutSeconds: CONFIGURE_TIMEOUT_SECONDS,
      });
      log.info('sent configure command', { nodeId: broker.nodeId, instanceId: ref.instanceId, commandId });
      commands.push({ ...known, commandId, sent: true });
    } else if (decision.action === 'recorded') {
      log.info('broker runs this configuration (applied-config tag)', { nodeId: broker.nodeId, hash });
      commands.push({ ...known, sent: false });
    } else {
      commands.push({ ...known, commandId: decision.commandId, sent: false });
    }
  }
  return { commands };
}

/** Ready when every command succeeded; then each broker's configuration is recorded on its instance. */
export async function brokersConfigured(
  spec: ClusterSpec,
  input: { commands: ConfigureCommand[] },
): Promise<ReadyStatus> {
  const pending: number[] = [];
  for (const command of input.commands) {
    if (!command.commandId) continue;
    const invocation = await ssm.commandInvocation(spec.region, command.commandId, command.instanceId);
    const outcome = invocationOutcome(invocation.status);
    if (outcome === 'failed') {
      throw commandFailedError('configure', { ...command, commandId: command.commandId }, invocation);
    }
    if (outcome === 'pending') pending.push(command.nodeId);
  }
  if (pending.length > 0) return { ready: false, detail: `configuring brokers ${pending.join(', ')}` };
  for (const command of input.commands) {
    if (command.recorded !== command.hash)
      await recordAppliedConfig(spec.region, command.instanceId, command.hash);
  }
  return { ready: true, detail: `${input.commands.length} brokers configured` };
}
