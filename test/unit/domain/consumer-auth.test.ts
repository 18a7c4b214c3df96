/**
 * The consumer's authentication and authorization (domain/consumer-auth.ts): server properties per
 * mechanism, exactly three ACLs, and the spec's validation of the fields that drive them.
 */
import { describe, expect, it } from 'vitest';
import {
  aclLine,
  authServerProperties,
  consumerAcls,
  consumerAuthOf,
} from '../../../functions/lib/domain/consumer-auth';
import { parseProperties } from '../../../functions/lib/domain/kafka-config';
import { planCluster } from '../../../functions/lib/domain/plan';
import { consumerLine, planTable } from '../../../functions/lib/domain/plan-views';
import { SpecValidationError } from '../../../functions/lib/errors';
import { parseClusterSpec } from '../../../functions/lib/spec';
import { seedSpec } from '../../fixtures/specs';

const consumer = (extra: Record<string, unknown>) => ({ consumer: { ...seedSpec().consumer, ...extra } });

describe('consumerAuthOf', () => {
  it.each([
    ['sasl-scram-sha-512', 'SCRAM-SHA-512'],
    ['sasl-scram-sha-256', 'SCRAM-SHA-256'],
    ['sasl-plain', 'PLAIN'],
  ] as const)('%s → mechanism %s, the secret named after cluster and user', (authentication, mechanism) => {
    expect(consumerAuthOf('c1', { authentication, username: 'tidbcloud' })).toEqual({
      mechanism,
      username: 'tidbcloud',
      topicPrefix: null,
      secretName: 'kafka-plc/c1/consumer/tidbcloud',
    });
  });

  it('none → nothing: the seed behaviour (PLAINTEXT, no authorizer)', () => {
    expect(consumerAuthOf('c1', { authentication: 'none', username: 'tidbcloud' })).toBeNull();
    expect(authServerProperties(null, '/etc/kafka')).toEqual([]);
  });
});

describe('server.properties with SASL', () => {
  it('SCRAM: EXTERNAL on SASL_PLAINTEXT, the ScramLoginModule, StandardAuthorizer, ANONYMOUS the only super user', () => {
    // Act
    const plan = planCluster(parseClusterSpec(seedSpec(consumer({ authentication: 'sasl-scram-sha-512' }))));
    const props = parseProperties(plan.brokers[0]?.serverProperties ?? '');
    // Assess
    expect(props.get('listener.security.protocol.map')).toBe(
      'INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT,EXTERNAL:SASL_PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL',
    );
    expect(props.get('listener.name.external.sasl.enabled.mechanisms')).toBe('SCRAM-SHA-512');
    expect(props.get('listener.name.external.scram-sha-512.sasl.jaas.config')).toBe(
      'org.apache.kafka.common.security.scram.ScramLoginModule required;',
    );
    expect(props.get('authorizer.class.name')).toBe(
      'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    );
    expect(props.get('super.users')).toBe('User:ANONYMOUS');
    expect(props.get('allow.everyone.if.no.acl.found')).toBe('false');
    expect(props.has('config.providers')).toBe(false);
    expect(plan.consumerAuth?.secretName).toBe('kafka-plc/seed-usw2/consumer/tidbcloud');
  });

  it('PLAIN: the password is referenced from a file (FileConfigProvider), never written in server.properties', () => {
    const plan = planCluster(
      parseClusterSpec(seedSpec(consumer({ authentication: 'sasl-plain', username: 'cdc' }))),
    );
    const props = parseProperties(plan.brokers[1]?.serverProperties ?? '');
    expect(props.get('listener.name.external.plain.sasl.jaas.config')).toBe(
      'org.apache.kafka.common.security.plain.PlainLoginModule required user_cdc="${file:/etc/kafka/consumer-credentials.properties:password}";',
    );
    expect(props.get('config.providers')).toBe('file');
    expect(props.get('config.providers.file.class')).toBe(
      'org.apache.kafka.common.config.provider.FileConfigProvider',
    );
  });
});

describe('consumerAcls: exactly what a changefeed needs', () => {
  it('Create and Write on the topic prefix, DescribeConfigs on the cluster — nothing else', () => {
    const auth = consumerAuthOf('c1', { authentication: 'sasl-plain', username: 'u', topicPrefix: 'cdc-' });
    expect(consumerAcls(auth!).map(aclLine)).toEqual([
      'TOPIC|cdc-|PREFIXED|Create|ALLOW|*',
      'TOPIC|cdc-|PREFIXED|Write|ALLOW|*',
      'CLUSTER|kafka-cluster|LITERAL|DescribeConfigs|ALLOW|*',
    ]);
  });

  it('without a prefix the topic scope is every topic (the literal wildcard)', () => {
    const auth = consumerAuthOf('c1', { authentication: 'sasl-plain', username: 'u' });
    expect(consumerAcls(auth!).map((a) => `${a.name}|${a.patternType}`)).toEqual([
      '*|LITERAL',
      '*|LITERAL',
      'kafka-cluster|LITERAL',
    ]);
  });
});

describe('the spec fields', () => {
  it.each([
    [{ authentication: 'sasl-gssapi' }, 'consumer.authentication', 'must be one of none, sasl-scram-sha-512'],
    [
      { authentication: 'sasl-plain', username: 'tidb cloud' },
      'consumer.username',
      '1..64 of [A-Za-z0-9._-]',
    ],
    [
      { authentication: 'sasl-plain', topicPrefix: 'cdc/*' },
      'consumer.topicPrefix',
      '1..200 of [A-Za-z0-9._-]',
    ],
    [{ topicPrefix: 'cdc-' }, 'consumer.topicPrefix', 'scopes ACLs, which need authentication'],
  ])('refuses %j, naming the field', (extra, field, message) => {
    // Act
    const act = () => parseClusterSpec(seedSpec(consumer(extra)));
    // Assess
    expect(act).toThrow(SpecValidationError);
    expect(act).toThrow(field);
    expect(act).toThrow(message);
  });

  it('refuses authentication on an existing cluster (not supported yet), naming the field', () => {
    const act = () =>
      parseClusterSpec({
        ...seedSpec(consumer({ authentication: 'sasl-scram-sha-512' })),
        existing: {
          vpcId: 'vpc-0123456789abcdef0',
          brokers: [{ instanceId: 'i-0123456789abcdef0', nodeId: 1 }],
        },
      });
    expect(act).toThrow('consumer.authentication');
    expect(act).toThrow('not supported with `existing` yet');
  });

  it('defaults: none, user tidbcloud, no prefix', () => {
    const spec = parseClusterSpec(seedSpec());
    expect(spec.consumer).toMatchObject({ authentication: 'none', username: 'tidbcloud' });
    expect(spec.consumer?.topicPrefix).toBeUndefined();
  });
});

describe('the plan says how the consumer connects', () => {
  it('examples/seed-usw2-sasl.json: SCRAM-SHA-512, where the password is, the exact ACLs', async () => {
    // Prepare
    const { readFileSync } = await import('node:fs');
    const example = JSON.parse(
      readFileSync(new URL('../../../examples/seed-usw2-sasl.json', import.meta.url), 'utf8'),
    );
    // Act
    const plan = planCluster(parseClusterSpec(example));
    // Assess
    expect(consumerLine(plan)).toBe(
      'Consumer: SASL/SCRAM-SHA-512 as tidbcloud, password in Secrets Manager kafka-plc/seed-usw2-sasl/consumer/tidbcloud; ACLs: Create, Write on topics tidb-cdc-*, DescribeConfigs on the cluster',
    );
    expect(planTable(plan)).toContain(consumerLine(plan));
    expect(consumerLine(planCluster(parseClusterSpec(seedSpec())))).toContain('PLAINTEXT, no authentication');
  });
});
