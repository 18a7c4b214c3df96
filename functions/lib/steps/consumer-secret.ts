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
  username: string | null;
  secretName: string | null;
  secretArn: string | null;
  /** What to run to read the password for TiDB Cloud (the password itself is never in an output). */
  passwordCommand: string | null;
}

export async function ensureConsumerSecret(spec: ClusterSpec, vpcId: string): Promise<ConsumerSecretRef> {
  const auth = consumerAuthOf(spec.clusterName, spec.consumer);
  if (!auth)
    return {
      authentication: 'none',
      username: null,
      secretName: null,
      secretArn: null,
      passwordCommand: null,
    };
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
  return {
    authentication: spec.consumer.authentication,
    username: auth.username,
    secretName: found.name,
    secretArn: found.arn,
    passwordCommand: `aws secretsmanager get-secret-value --region ${spec.region} --secret-id ${found.arn} --query SecretString --output text`,
  };
}
