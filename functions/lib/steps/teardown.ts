/**
 * Teardown: removes every resource tagged `kafka-plc:cluster=<name>`, in dependency order, and the
 * cluster's unique-name parameter. Each step is one poll of a bounded loop in the state machine:
 *
 *  1. Endpoint service: reject its endpoint connections, delete its notifications, delete it; done when gone.
 *  2. Load balancer: delete the NLB (its listeners go with it); once it is gone, its target groups.
 *  3. Brokers: terminate the instances; done when every one is terminated (their ENIs are released).
 *  4. NAT gateway: delete it; once it is deleted, release its Elastic IP.
 *  5. Network (after 1–4): route tables, internet gateway, subnets, security groups, then the VPC. AWS
 *     releases some ENIs (the NLB's) minutes after their owner is gone: "in use" answers mean "not yet".
 *  6. The SSM parameters under `/kafka-plc/<name>/` (the unique name, the applied spec).
 *
 * Every step looks up what exists before deleting and skips what is already going, so a re-run (or a
 * run after everything is gone) makes no mutating call.
 */
import * as acceptRecords from '../aws/accept-records';
import * as discovery from '../aws/ec2-discovery';
import * as eps from '../aws/endpoint-service';
import * as secrets from '../aws/secrets';
import type { DeleteOutcome } from '../aws/teardown-common';
import * as ec2 from '../aws/teardown-ec2';
import * as elb from '../aws/teardown-elbv2';
import * as svc from '../aws/teardown-endpoint-service';
import * as params from '../aws/teardown-ssm';
import { APPLIED_CONFIG_TAG } from '../domain/names';
import { requireEnv } from '../env';
import { ApiNotImplementedError, EndpointConnectionError } from '../errors';
import { emulatorMode, moduleLogger } from '../logger';
import type { ClusterSpec } from '../spec';
import { EXPOSED_BY_TAG, markedResources } from './existing';
import type { ReadyStatus } from './network';

const log = moduleLogger('teardown');
/** Connections that keep a service from being deleted (the API answers `PendingAcceptance`, filters say `pendingAcceptance`). */
const LIVE_CONNECTION_STATES = ['pendingacceptance', 'pending', 'available'];

/** Blocked deletes of one poll, as one line for the loop's status (and the final timeout error). */
function pendingDetail(what: string, blocked: string[], waiting: string[]): ReadyStatus {
  if (blocked.length === 0 && waiting.length === 0) return { ready: true, detail: `${what}: nothing left` };
  return { ready: false, detail: `${what}: ${[...waiting, ...blocked].join('; ')}` };
}

function note(outcome: DeleteOutcome, id: string, blocked: string[]): void {
  if (outcome.result === 'blocked') blocked.push(`${id} blocked (${outcome.reason})`);
  else if (outcome.result === 'deleted') log.info('deleted', { id });
}

async function liveConnections(region: string, serviceId: string): Promise<string[]> {
  try {
    const connections = await eps.endpointConnections(region, serviceId);
    return connections
      .filter((c) => LIVE_CONNECTION_STATES.includes(c.vpcEndpointState.toLowerCase()))
      .map((c) => c.vpcEndpointId);
  } catch (error) {
    if (error instanceof ApiNotImplementedError && emulatorMode()) {
      log.warn('emulator gap: DescribeVpcEndpointConnections is not implemented; assuming none', {
        serviceId,
      });
      return [];
    }
    throw error;
  }
}

export async function teardownEndpointService(spec: ClusterSpec): Promise<ReadyStatus> {
  const { region, clusterName: cluster } = spec;
  const services = await svc.clusterServices(
    region,
    cluster,
    await elb.clusterLoadBalancerArns(region, cluster),
  );
  const blocked: string[] = [];
  const waiting: string[] = [];
  if (services.length === 0) {
    // The service is gone: its accept window and records go with it (a re-provisioned cluster starts anew).
    const removed = await acceptRecords.deleteClusterEntries(region, requireEnv('ACCEPT_TABLE'), cluster);
    if (removed > 0) log.info('removed accept window and records', { cluster, entries: removed });
  }
  for (const service of services) {
    if (['Deleting', 'Deleted'].includes(service.state)) {
      waiting.push(`${service.serviceId} is ${service.state}`);
      continue;
    }
    const connections = await liveConnections(region, service.serviceId);
    if (connections.length > 0) {
      const failed = await eps.rejectConnections(region, service.serviceId, connections);
      if (failed.length > 0) {
        throw new EndpointConnectionError(
          `could not reject endpoint connections of ${service.serviceId}: ${failed.map((f) => `${f.ResourceId} ${f.Error?.Code}: ${f.Error?.Message}`).join('; ')}`,
        );
      }
      log.info('rejected endpoint connections', { serviceId: service.serviceId, connections });
    }
    await svc.deleteConnectionNotifications(region, service.serviceId);
    const outcome = await svc.deleteService(region, service.serviceId);
    note(outcome, service.serviceId, blocked);
    if (outcome.result === 'deleted') waiting.push(`${service.serviceId} deleting`);
  }
  return pendingDetail('endpoint service', blocked, waiting);
}

export async function teardownLoadBalancer(spec: ClusterSpec): Promise<ReadyStatus> {
  const { region, clusterName: cluster } = spec;
  const blocked: string[] = [];
  const loadBalancers = await elb.clusterLoadBalancerArns(region, cluster);
  for (const arn of loadBalancers) note(await elb.deleteLoadBalancer(region, arn), arn, blocked);
  if (loadBalancers.length > 0) {
    // Target groups only once no load balancer of the cluster is left (a listener still uses them).
    return pendingDetail('load balancer', blocked, [`waiting for ${loadBalancers.length} NLB(s) to go`]);
  }
  for (const arn of await elb.clusterTargetGroupArns(region, cluster)) {
    note(await elb.deleteTargetGroup(region, arn), arn, blocked);
  }
  return pendingDetail('target groups', blocked, []);
}

export async function teardownBrokers(spec: ClusterSpec): Promise<ReadyStatus> {
  const { region, clusterName: cluster } = spec;
  const instances = await ec2.clusterInstancesNotTerminated(region, cluster);
  const toTerminate = instances.filter((i) => i.state !== 'shutting-down').map((i) => i.instanceId);
  if (toTerminate.length > 0) {
    await ec2.terminateInstances(region, toTerminate);
    log.info('terminating brokers', { instanceIds: toTerminate });
  }
  const waiting = instances.map(
    (i) => `${i.instanceId} ${i.state === 'shutting-down' ? i.state : 'terminating'}`,
  );
  return pendingDetail('brokers', [], waiting);
}

export async function teardownNatGateway(spec: ClusterSpec): Promise<ReadyStatus> {
  const { region, clusterName: cluster } = spec;
  const blocked: string[] = [];
  const waiting: string[] = [];
  const nats = await ec2.clusterNatGateways(region, cluster);
  for (const nat of nats) {
    if (nat.state !== 'deleting')
      note(await ec2.deleteNatGateway(region, nat.natGatewayId), nat.natGatewayId, blocked);
    waiting.push(`${nat.natGatewayId} deleting`);
  }
  if (nats.length > 0) return pendingDetail('NAT gateway', blocked, waiting);
  // The Elastic IP only once the NAT gateway that held it is deleted.
  for (const address of await ec2.clusterAddresses(region, cluster)) {
    note(await ec2.releaseAddress(region, address.allocationId), address.allocationId, blocked);
  }
  return pendingDetail('Elastic IPs', blocked, []);
}

/**
 * An exposed existing cluster: take our security groups off the user's broker interfaces (their own
 * groups stay), remove our tags (applied-config, then the mark) from the instances and interfaces, then delete
 * our groups in the user's VPC. The user's
 * VPC, subnets and instances are never deleted; the EXTERNAL listener stays in the brokers' config
 * (unreachable once the NLB and groups are gone; removing it would need another roll).
 */
async function releaseExistingBrokers(spec: ClusterSpec, blocked: string[]): Promise<void> {
  const existing = spec.existing;
  if (!existing) return;
  const { region, clusterName: cluster } = spec;
  const groups = await ec2.clusterSecurityGroups(region, existing.vpcId, cluster);
  const ours = new Set(groups.map((g) => g.groupId));
  const instances = await discovery.instancesByIds(
    region,
    existing.brokers.map((b) => b.instanceId),
  );
  for (const instance of instances) {
    const nic = instance.primaryInterface;
    if (nic?.groupIds.some((g) => ours.has(g))) {
      const keep = nic.groupIds.filter((g) => !ours.has(g));
      if (keep.length > 0) await discovery.setInterfaceGroups(region, nic.networkInterfaceId, keep);
      else blocked.push(`${nic.networkInterfaceId} has only kafka-plc groups`);
    }
  }
  const marked = instances.filter((i) => i.tags[EXPOSED_BY_TAG] === cluster);
  // The applied-config record first: once the mark is gone, a re-run no longer finds these instances ours.
  const recorded = marked.filter((i) => i.tags[APPLIED_CONFIG_TAG] !== undefined).map((i) => i.instanceId);
  await discovery.removeTag(region, recorded, APPLIED_CONFIG_TAG);
  await discovery.removeTag(region, markedResources(marked), EXPOSED_BY_TAG);
  await deleteGroups(region, groups, blocked);
}

/** Our groups of one VPC: references between them revoked first, then each deleted. */
async function deleteGroups(region: string, groups: ec2.TaggedGroup[], blocked: string[]): Promise<void> {
  for (const group of groups) await ec2.revokeGroupReferences(region, group);
  for (const group of groups)
    note(await ec2.deleteSecurityGroup(region, group.groupId), group.groupId, blocked);
}

/** One pass over the network in dependency order; the VPC is deleted only when nothing in it is blocked. */
export async function teardownNetwork(spec: ClusterSpec): Promise<ReadyStatus> {
  const { region, clusterName: cluster } = spec;
  const blocked: string[] = [];
  await releaseExistingBrokers(spec, blocked);
  const vpcIds = await ec2.clusterVpcIds(region, cluster);
  for (const vpcId of vpcIds) {
    for (const table of await ec2.clusterRouteTables(region, vpcId, cluster)) {
      if (!table.main) note(await ec2.deleteRouteTable(region, table), table.routeTableId, blocked);
    }
  }
  for (const gateway of await ec2.clusterInternetGateways(region, cluster)) {
    note(await ec2.deleteInternetGateway(region, gateway), gateway.internetGatewayId, blocked);
  }
  for (const vpcId of vpcIds) {
    for (const subnetId of await ec2.clusterSubnetIds(region, vpcId, cluster)) {
      note(await ec2.deleteSubnet(region, subnetId), subnetId, blocked);
    }
    await deleteGroups(region, await ec2.clusterSecurityGroups(region, vpcId, cluster), blocked);
    if (blocked.length === 0) note(await ec2.deleteVpc(region, vpcId), vpcId, blocked);
  }
  return pendingDetail('network', blocked, []);
}

export async function teardownParameters(
  spec: ClusterSpec,
): Promise<{ deletedParameters: string[]; deletedSecrets: string[] }> {
  const names = await params.parametersUnder(spec.region, `/kafka-plc/${spec.clusterName}/`);
  const deleted = await params.deleteParameters(spec.region, names);
  if (deleted.length > 0) log.info('deleted parameters', { names: deleted });
  // The consumer's credential (whatever username it was made for): gone for good, no recovery window.
  const deletedSecrets: string[] = [];
  for (const name of await secrets.clusterSecrets(spec.region, spec.clusterName)) {
    if ((await secrets.deleteSecret(spec.region, name)) === 'deleted') deletedSecrets.push(name);
  }
  if (deletedSecrets.length > 0) log.info('deleted secrets', { names: deletedSecrets });
  return { deletedParameters: deleted, deletedSecrets };
}
