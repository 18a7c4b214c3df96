/**
 * EnsureConsumerSecret: the consumer's SASL password, created once in Secrets Manager (domain/consumer-auth.ts)
 * before any broker is configured. Returns where it is — never the password.
 */
import * as secrets from '../aws/secrets';
import { consumerAuthOf } from '../domain/consumer-auth';
import { resourceTags } from '../domain/tags';
import { moduleLogger } from '../logger';
import type { ClusterSpec } from '../spec';

const log = moduleLogger('consumer-secret');

export interface ConsumerSecretRef {
  authentication: string;
  secretName: string | null;
  secretArn: string | null;
}

export async function ensureConsumerSecret(spec: ClusterSpec, vpcId: string): Promise<ConsumerSecretRef> {
  const auth = consumerAuthOf(spec.clusterName, spec.consumer);
  if (!auth) return { authentication: 'none', secretName: null, secretArn: null };
  const found = await secrets.ensureSecret(
    spec.region,
    auth.secretName,
    resourceTags(spec.clusterName, 'consumer-secret'),
    vpcId,
    `kafka-plc ${spec.clusterName}: ${auth.mechanism} password of Kafka user ${auth.username} (TiDB Cloud's changefeed)`,
  );
  log.info(found.created ? 'consumer secret created' : 'consumer secret found', {
    cluster: spec.clusterName,
    secretArn: found.arn,
  });
  return { authentication: spec.consumer.authentication, secretName: found.name, secretArn: found.arn };
}
