/**
 * EnsureConsumerSecret: the consumer's SASL password, created once in Secrets Manager (domain/consumer-auth.ts)
 * before any broker is configured. Returns where it is — never the password.
 */
import * as network from '../aws/ec2-network';
import * as secrets from '../aws/secrets';
import { consumerAuthOf } from '../domain/consumer-auth';
import { ROLES, resourceTags } from '../domain/tags';
import { ResourceConflictError } from '../errors';
import { moduleLogger } from '../logger';
import { type ClusterSpec, primaryConsumer } from '../spec';

const log = moduleLogger('consumer-secret');

export interface ConsumerSecretRef {
  authentication: string;
  username: string | null;
  secretName: string | null;
  secretArn: string | null;
  /** What to run to read the password for TiDB Cloud (the password itself is never in an output). */
  passwordCommand: string | null;
}

/**
 * `vpcId`: the cluster's VPC (provisioning passes the one it built; the roll — which turns authentication on
 * for a running cluster, or finds the secret already there — looks it up by the cluster's tag).
 */
export async function ensureConsumerSecret(
  spec: ClusterSpec,
  vpcId: string | undefined,
): Promise<ConsumerSecretRef> {
  const auth = consumerAuthOf(spec.clusterName, primaryConsumer(spec));
  if (!auth)
    return {
      authentication: 'none',
      username: null,
      secretName: null,
      secretArn: null,
      passwordCommand: null,
    };
  const vpc = vpcId ?? (await network.findVpc(spec.region, spec.clusterName, ROLES.vpc))?.vpcId;
  if (!vpc)
    throw new ResourceConflictError(
      `cluster ${spec.clusterName} has no VPC tagged ${ROLES.vpc} in ${spec.region}: provision it first`,
    );
  const found = await secrets.ensureSecret(
    spec.region,
    auth.secretName,
    resourceTags(spec.clusterName, 'consumer-secret'),
    vpc,
    `kafka-plc ${spec.clusterName}: ${auth.mechanism} password of Kafka user ${auth.username} (TiDB Cloud's changefeed)`,
  );
  log.info(found.created ? 'consumer secret created' : 'consumer secret found', {
    cluster: spec.clusterName,
    secretArn: found.arn,
  });
  return {
    authentication: primaryConsumer(spec).authentication,
    username: auth.username,
    secretName: found.name,
    secretArn: found.arn,
    passwordCommand: `aws secretsmanager get-secret-value --region ${spec.region} --secret-id ${found.arn} --query SecretString --output text`,
  };
}

/**
 * The version the broker scripts are rendered for: the consumer secret's AWSCURRENT (undefined without
 * authentication). A missing secret is a deployment error named here, before any broker is touched.
 */
export async function secretVersionFor(spec: ClusterSpec): Promise<string | undefined> {
  const auth = consumerAuthOf(spec.clusterName, primaryConsumer(spec));
  if (!auth) return undefined;
  const version = await secrets.currentVersion(spec.region, auth.secretName);
  if (!version)
    throw new ResourceConflictError(
      `secret ${auth.secretName} does not exist: provision the cluster (EnsureConsumerSecret creates it) before configuring or rolling it`,
    );
  return version;
}

/** A new password for the consumer: the next roll brings it to every broker. Returns the new version. */
export async function rotateConsumerPassword(
  spec: ClusterSpec,
): Promise<{ secretName: string; version: string }> {
  const auth = consumerAuthOf(spec.clusterName, primaryConsumer(spec));
  if (!auth)
    throw new ResourceConflictError(
      `${spec.clusterName} has no consumer authentication (consumer.authentication is none): nothing to rotate`,
    );
  const version = await secrets.rotatePassword(spec.region, auth.secretName);
  log.info('consumer password rotated', { cluster: spec.clusterName, secretName: auth.secretName, version });
  return { secretName: auth.secretName, version };
}
