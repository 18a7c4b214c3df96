import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nextSteps, nextStepsText, patternString } from '../../../functions/lib/domain/next-steps';
import { planCluster } from '../../../functions/lib/domain/plan';
import { parseClusterSpec } from '../../../functions/lib/spec';

const planOf = (name: string) =>
  planCluster(
    parseClusterSpec(
      JSON.parse(readFileSync(new URL(`../../../examples/${name}.json`, import.meta.url), 'utf8')),
    ),
  );
const SERVICE = 'com.amazonaws.vpce.us-west-2.vpce-svc-0f49e37e1f022cd45';

describe('nextSteps: what to enter in TiDB Cloud, per consumer', () => {
  it('Essential: the ticloud commands with the endpoint service filled in, then the unique name roll', () => {
    // Act
    const [steps] = nextSteps(planOf('seed-usw2'), SERVICE);
    // Assess
    expect(steps).toMatchObject({ consumer: 'consumer', flow: 'essential', bootstrapPort: 9092 });
    expect(steps?.steps).toEqual([
      'Check the AZ IDs: "ticloud serverless private-link-connection zones --cluster-id <cluster-id>" must list usw2-az1, usw2-az2, usw2-az3.',
      `Create the connection (kafka-plc accepts it inside the accept window): "ticloud serverless private-link-connection create -c <cluster-id> --display-name seed-usw2-consumer --type AWS_ENDPOINT_SERVICE --aws.endpoint-service-name ${SERVICE}"`,
      'Get the unique name: "ticloud serverless private-link-connection attach-domains -c <cluster-id> --private-link-connection-id <connection-id> --type TIDBCLOUD_MANAGED --dry-run"',
      'Attach the domain: "ticloud serverless private-link-connection attach-domains -c <cluster-id> --private-link-connection-id <connection-id> --type TIDBCLOUD_MANAGED --unique-name <unique-name>"',
      'Roll the brokers to it: "kafka-plc set-unique-name --cluster seed-usw2 --value <unique-name> --region us-west-2"',
      'In the changefeed: this private link connection, bootstrap port 9092.',
    ]);
  });

  it('Dedicated: the console fields, the generated string, no unique name and no roll', () => {
    // Act
    const [steps] = nextSteps(planOf('dedicated-usw2'), SERVICE);
    // Assess
    expect(steps).toMatchObject({
      flow: 'dedicated',
      patternString: 'abc',
      azIds: ['usw2-az1', 'usw2-az2', 'usw2-az3'],
    });
    expect(steps?.steps.join('\n')).toContain(`Endpoint Service Name ${SERVICE}`);
    expect(steps?.steps.join('\n')).toContain('Kafka Advertised Listener Pattern: abc');
    expect(steps?.steps.join('\n')).toContain('no unique name, no roll');
    expect(steps?.steps.join('\n')).not.toContain('set-unique-name');
  });

  it('custom domain: the per-AZ names as given', () => {
    const [steps] = nextSteps(planOf('custom-domain-usw2'), SERVICE);
    expect(steps?.flow).toBe('custom');
    expect(steps?.steps.join('\n')).toContain('usw2-az2 → <broker_id>.az2.kafka.example.com:<port>');
  });

  it('two consumers: one block each, with its own bootstrap port and listener group', () => {
    // Act
    const steps = nextSteps(planOf('two-consumers-usw2'), SERVICE);
    const text = nextStepsText(steps);
    // Assess
    expect(steps.map((s) => [s.consumer, s.listenerName, s.bootstrapPort, s.flow, s.brokerPorts])).toEqual([
      ['tidb-a', 'EXTERNAL', 9092, 'essential', [9093, 9095]],
      ['tidb-b', 'EXTERNAL2', 9192, 'dedicated', [9193, 9195]],
    ]);
    expect(text).toContain('tidb-b (EXTERNAL2, bootstrap port 9192, Dedicated/Premium):');
    expect(text).toContain('4. Bootstrap port: 9192');
  });

  it('a second Essential consumer whose unique name is already in its pattern: attach it, no roll', () => {
    // Prepare
    const spec = JSON.parse(
      readFileSync(new URL('../../../examples/two-consumers-usw2.json', import.meta.url), 'utf8'),
    );
    spec.consumers[1].advertisedListenerPatterns = Object.fromEntries(
      ['usw2-az1', 'usw2-az2', 'usw2-az3'].map((az) => [
        az,
        `<broker_id>.${az}.dvs6nl5jgveztmla3pxkxgh76i.aws.plc.tidbcloud.com:<port>`,
      ]),
    );
    // Act
    const steps = nextSteps(planCluster(parseClusterSpec(spec)), SERVICE)[1];
    // Assess
    expect(steps?.flow).toBe('essential-named');
    expect(steps?.steps.join('\n')).toContain('--unique-name dvs6nl5jgveztmla3pxkxgh76i');
    expect(steps?.steps.join('\n')).not.toContain('set-unique-name');
  });

  it('before provisioning, the service name is marked as to come', () => {
    expect(nextSteps(planOf('seed-usw2'))[0]?.endpointServiceName).toBe(
      '<endpoint service name: printed by provision>',
    );
  });
});

describe('patternString', () => {
  it('is the label after the AZ ID of a TiDB-managed pattern, none for a custom domain', () => {
    expect(
      patternString('<broker_id>.usw2-az1.abc.us-west-2.aws.3199015.tidbcloud.com:<port>', 'usw2-az1'),
    ).toBe('abc');
    expect(patternString('<broker_id>.az1.kafka.example.com:<port>', 'usw2-az1')).toBeNull();
  });
});
