/**
 * What to enter on the TiDB Cloud side, per consumer, with the values filled in (pure). Two flows:
 *  - Essential ("Connect to AWS Self-Hosted Kafka via Private Link Connection"): names wait for the unique
 *    name TiDB Cloud gives the private link connection; the ticloud CLI creates the connection, shows the
 *    unique name (`attach-domains --dry-run`), attaches the domain; `kafka-plc set-unique-name` rolls the
 *    brokers to it; the changefeed then uses the connection and the bootstrap port.
 *  - Dedicated / Premium ("Set Up Self-Hosted Kafka Private Link Service in AWS", "Set Up Private Endpoint
 *    for Changefeeds"): the pattern was chosen first, the brokers advertise it from the start; the console
 *    takes the endpoint service name, the AZs, the pattern (or custom domain) and the bootstrap port.
 * A second consumer is a second TiDB Cloud project on the same endpoint service with its own bootstrap port
 * and listener group. Flags follow ticloud's generated reference (`ticloud serverless private-link-connection
 * create|zones|attach-domains`).
 */
import type { Plan, PlannedConsumer } from './plan';

export interface ConsumerNextSteps {
  consumer: string;
  listenerName: string;
  /**
   * essential: names wait for the unique name; essential-named: an Essential connection's name already in
   * the pattern (a second Essential consumer); dedicated: a TiDB-managed pattern chosen first; custom: a
   * custom domain.
   */
  flow: 'essential' | 'essential-named' | 'dedicated' | 'custom';
  endpointServiceName: string;
  azIds: string[];
  bootstrapPort: number;
  brokerPorts: [number, number];
  advertisedListenerPatterns: Record<string, string>;
  /** Dedicated on tidbcloud.com: the unique string typed before "Check usage and generate". */
  patternString: string | null;
  /** What to do, in order; commands are ready to paste (angle brackets: values only TiDB Cloud knows). */
  steps: string[];
}

/** Until provisioning has created the service, its name is shown as this. */
export const SERVICE_NAME_PENDING = '<endpoint service name: printed by provision>';

/** The label after the AZ ID in a TiDB-managed Dedicated pattern: <broker_id>.<az>.<string>.<region>.aws.… */
export function patternString(pattern: string, azId: string): string | null {
  if (!pattern.includes('.tidbcloud.com:')) return null;
  const labels = pattern.split('.');
  const at = labels.indexOf(azId);
  return at >= 0 ? (labels[at + 1] ?? null) : null;
}

const PLC = 'ticloud serverless private-link-connection';
/** TiDB Cloud Essential's managed domain (the seed's pattern). */
const ESSENTIAL_DOMAIN = '.aws.plc.tidbcloud.com:';

function flowOf(consumer: PlannedConsumer): ConsumerNextSteps['flow'] {
  if (consumer.awaitsUniqueName) return 'essential';
  const patterns = Object.values(consumer.advertisedListenerPatterns);
  if (patterns.every((p) => p.includes(ESSENTIAL_DOMAIN))) return 'essential-named';
  if (patterns.every((p) => p.includes('.tidbcloud.com:'))) return 'dedicated';
  return 'custom';
}

/** What the steps need of a plan (an existing cluster's consumers are known before discovery). */
export type StepsInput = Pick<Plan, 'clusterName' | 'region' | 'consumers'>;

function essentialNamedSteps(
  plan: StepsInput,
  consumer: PlannedConsumer,
  service: string,
  unique: string,
): string[] {
  const name = `${plan.clusterName}-${consumer.name}`.slice(0, 64);
  return [
    `Create the connection (kafka-plc accepts it inside the accept window): "${PLC} create -c <cluster-id> --display-name ${name} --type AWS_ENDPOINT_SERVICE --aws.endpoint-service-name ${service}"`,
    `Attach the domain the brokers already advertise: "${PLC} attach-domains -c <cluster-id> --private-link-connection-id <connection-id> --type TIDBCLOUD_MANAGED --unique-name ${unique}"`,
    `In the changefeed: this private link connection, bootstrap port ${consumer.bootstrapPort}. No roll: the names are complete.`,
  ];
}

function essentialSteps(plan: StepsInput, consumer: PlannedConsumer, service: string): string[] {
  const name = `${plan.clusterName}-${consumer.name}`.slice(0, 64);
  return [
    `Check the AZ IDs: "${PLC} zones --cluster-id <cluster-id>" must list ${Object.keys(consumer.advertisedListenerPatterns).join(', ')}.`,
    `Create the connection (kafka-plc accepts it inside the accept window): "${PLC} create -c <cluster-id> --display-name ${name} --type AWS_ENDPOINT_SERVICE --aws.endpoint-service-name ${service}"`,
    `Get the unique name: "${PLC} attach-domains -c <cluster-id> --private-link-connection-id <connection-id> --type TIDBCLOUD_MANAGED --dry-run"`,
    `Attach the domain: "${PLC} attach-domains -c <cluster-id> --private-link-connection-id <connection-id> --type TIDBCLOUD_MANAGED --unique-name <unique-name>"`,
    `Roll the brokers to it: "kafka-plc set-unique-name --cluster ${plan.clusterName} --value <unique-name> --region ${plan.region}"`,
    `In the changefeed: this private link connection, bootstrap port ${consumer.bootstrapPort}.`,
  ];
}

function dedicatedSteps(consumer: PlannedConsumer, service: string, string: string | null): string[] {
  const azIds = Object.keys(consumer.advertisedListenerPatterns);
  const pattern = string
    ? `Kafka Advertised Listener Pattern: ${string} (as generated; the brokers already advertise it)`
    : `Advertised listener (custom domain), per AZ: ${azIds.map((az) => `${az} → ${consumer.advertisedListenerPatterns[az]}`).join('; ')}`;
  return [
    `In TiDB Cloud (changefeed → Kafka → Private Link, or Networking → Private Endpoint for Changefeed): Endpoint Service Name ${service}`,
    `Number of AZs: ${azIds.length} (${azIds.join(', ')})`,
    pattern,
    `Bootstrap port: ${consumer.bootstrapPort}`,
    'kafka-plc accepts the endpoint TiDB Cloud creates inside the accept window; no unique name, no roll.',
  ];
}

export function nextSteps(plan: StepsInput, endpointServiceName = SERVICE_NAME_PENDING): ConsumerNextSteps[] {
  return plan.consumers.map((consumer) => {
    const azIds = Object.keys(consumer.advertisedListenerPatterns);
    const first = azIds[0] ?? '';
    const flow = flowOf(consumer);
    const string =
      flow === 'dedicated' || flow === 'essential-named'
        ? patternString(consumer.advertisedListenerPatterns[first] ?? '', first)
        : null;
    const steps =
      flow === 'essential'
        ? essentialSteps(plan, consumer, endpointServiceName)
        : flow === 'essential-named'
          ? essentialNamedSteps(plan, consumer, endpointServiceName, string ?? '<unique-name>')
          : dedicatedSteps(consumer, endpointServiceName, string);
    return {
      consumer: consumer.name,
      listenerName: consumer.listenerName,
      flow,
      endpointServiceName,
      azIds,
      bootstrapPort: consumer.bootstrapPort,
      brokerPorts: consumer.brokerPorts,
      advertisedListenerPatterns: consumer.advertisedListenerPatterns,
      patternString: flow === 'dedicated' ? string : null,
      steps,
    };
  });
}

/** The steps as text for a terminal. */
export function nextStepsText(steps: ConsumerNextSteps[]): string {
  const lines = ['Next steps in TiDB Cloud:'];
  for (const consumer of steps) {
    const flow = {
      essential: 'Essential: unique name later',
      'essential-named': 'Essential: unique name known',
      dedicated: 'Dedicated/Premium',
      custom: 'custom domain',
    }[consumer.flow];
    lines.push(
      `  ${consumer.consumer} (${consumer.listenerName}, bootstrap port ${consumer.bootstrapPort}, ${flow}):`,
    );
    for (const [index, step] of consumer.steps.entries()) lines.push(`    ${index + 1}. ${step}`);
  }
  return `${lines.join('\n')}\n`;
}
