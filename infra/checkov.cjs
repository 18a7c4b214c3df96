/**
 * Resolved by serverless.yml (`resources: - ${file(infra/checkov.cjs)}`): checkov's skips for the resources
 * the framework generates (one Lambda function and one log group per function key), each with the reason
 * the check does not apply. The template's own resources carry theirs in their Metadata (infra/*.yml).
 * `npm test` runs checkov on the packaged template (test/stack/checkov.test.ts): 0 failed checks.
 */
const fs = require('node:fs');
const path = require('node:path');
const { parse } = require('yaml');

/** serverless's logical ID of a function key: `ensureNetwork` → `EnsureNetwork`. */
const logicalId = (key) => key.charAt(0).toUpperCase() + key.slice(1);

const FUNCTION_SKIPS = [
  {
    id: 'CKV_AWS_117',
    comment:
      'The functions call only AWS APIs, never a host in a VPC: attaching them to one adds ENIs and NAT cost for nothing.',
  },
  {
    id: 'CKV_AWS_116',
    comment:
      'State machine tasks are invoked synchronously (a DLQ applies to asynchronous invocations only) and fail into the state machine; the scheduled sweep runs again in minutes; the SNS and EventBridge sources retry.',
  },
  {
    id: 'CKV_AWS_115',
    comment:
      'Reserved concurrency per function would take capacity from the account pool (as little as 10 in new accounts) and can fail the deploy; the state machines bound the concurrency.',
  },
  {
    id: 'CKV_AWS_173',
    comment:
      'The variables hold ARNs, names and log settings, no secrets; Lambda encrypts them at rest with its AWS managed key.',
  },
];
const LOG_GROUP_SKIPS = [
  {
    id: 'CKV_AWS_158',
    comment:
      'The logs carry resource IDs, names and decisions, no secrets; CloudWatch Logs encrypts them at rest; retention is set (logRetentionDays).',
  },
];

const BUCKET_SKIPS = [
  {
    id: 'CKV_AWS_18',
    comment:
      "The framework's artifact bucket holds only the stack's own deployment packages; access logs would need another bucket to log to. Public access is blocked and versioning is on.",
  },
];

function extensions(serviceDir) {
  const config = parse(fs.readFileSync(path.join(serviceDir, 'serverless.yml'), 'utf8'));
  const out = { ServerlessDeploymentBucket: { Metadata: { checkov: { skip: BUCKET_SKIPS } } } };
  for (const key of Object.keys(config.functions ?? {})) {
    out[`${logicalId(key)}LambdaFunction`] = { Metadata: { checkov: { skip: FUNCTION_SKIPS } } };
    out[`${logicalId(key)}LogGroup`] = { Metadata: { checkov: { skip: LOG_GROUP_SKIPS } } };
  }
  return out;
}

module.exports = () => ({ extensions: extensions(path.join(__dirname, '..')) });
module.exports.extensions = extensions;
