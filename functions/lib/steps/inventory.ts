/**
 * What teardown would remove, read before it runs (read-only calls, the same lookups the teardown steps use):
 * `kafka-plc teardown` lists it and asks before deleting, then reads it again and reports only what is gone.
 * An exposed existing cluster's brokers are the user's: they lose kafka-plc's tags and groups, never deleted.
 */

import * as cloudwatch from '../aws/cloudwatch';
import * as discovery from '../aws/ec2-discovery';
import * as secrets from '../aws/secrets';
import * as ec2 from '../aws/teardown-ec2';
import * as elb from '../aws/teardown-elbv2';
import * as svc from '../aws/teardown-endpoint-service';
import * as params from '../aws/teardown-ssm';
import { alarmPrefix } from '../domain/alarms';
import { dashboardName } from '../domain/dashboard';
import type { InventoryItem } from '../domain/inventory';
import { elbv2NameOf } from '../domain/names';
import type { ClusterSpec } from '../spec';
import { EXPOSED_BY_TAG } from './existing';

export async function clusterInventory(spec: ClusterSpec): Promise<InventoryItem[]> {
  const { region, clusterName: cluster } = spec;
  const items: InventoryItem[] = [];
  const add = (type: string, id: string, detail?: string, action: InventoryItem['action'] = 'delete') =>
    items.push({ type, id, action, ...(detail ? { detail } : {}) });

  for (const name of (await cloudwatch.alarmsWithPrefix(region, alarmPrefix(cluster))).map(
    (a) => a.AlarmName,
  ))
    add('alarm', name);
  if ((await cloudwatch.dashboardBodyOf(region, dashboardName(cluster))) !== undefined)
    add('dashboard', dashboardName(cluster));
  const loadBalancers = await elb.clusterLoadBalancerArns(region, cluster);
  for (const service of await svc.clusterServices(region, cluster, loadBalancers))
    add('endpoint service', service.serviceId, service.state);
  for (const arn of loadBalancers) add('load balancer', elbv2NameOf(arn) ?? arn);
  for (const arn of await elb.clusterTargetGroupArns(region, cluster))
    add('target group', elbv2NameOf(arn) ?? arn);
  for (const instance of await ec2.clusterInstancesNotTerminated(region, cluster))
    add('instance', instance.instanceId, instance.state);
  for (const nat of await ec2.clusterNatGateways(region, cluster))
    add('NAT gateway', nat.natGatewayId, nat.state);
  for (const address of await ec2.clusterAddresses(region, cluster)) add('Elastic IP', address.allocationId);
  for (const gateway of await ec2.clusterInternetGateways(region, cluster))
    add('internet gateway', gateway.internetGatewayId);
  const vpcIds = await ec2.clusterVpcIds(region, cluster);
  for (const vpcId of vpcIds) {
    for (const table of await ec2.clusterRouteTables(region, vpcId, cluster))
      if (!table.main) add('route table', table.routeTableId);
    for (const subnetId of await ec2.clusterSubnetIds(region, vpcId, cluster)) add('subnet', subnetId);
    for (const group of await ec2.clusterSecurityGroups(region, vpcId, cluster))
      add('security group', group.groupId);
  }
  if (spec.existing && !vpcIds.includes(spec.existing.vpcId)) {
    for (const group of await ec2.clusterSecurityGroups(region, spec.existing.vpcId, cluster))
      add('security group', group.groupId, `in ${spec.existing.vpcId}`);
    const instances = await discovery.instancesByIds(
      region,
      spec.existing.brokers.map((b) => b.instanceId),
    );
    for (const instance of instances.filter((i) => i.tags[EXPOSED_BY_TAG] === cluster))
      add('broker', instance.instanceId, 'kept: kafka-plc tags and groups removed', 'release');
  }
  for (const vpcId of vpcIds) add('VPC', vpcId);
  for (const name of await params.parametersUnder(region, `/kafka-plc/${cluster}/`)) add('parameter', name);
  for (const name of await secrets.clusterSecrets(region, cluster)) add('secret', name);
  return items;
}
