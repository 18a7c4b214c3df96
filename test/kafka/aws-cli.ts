/**
 * `aws` on a broker host of the real-Kafka harness: the AWS CLI (preinstalled on Amazon Linux 2023) as far
 * as our broker script uses it — `aws secretsmanager get-secret-value --region R --secret-id ID --query
 * '[VersionId,SecretString]' --output text` — sent as the CLI sends it (the Secrets Manager JSON protocol,
 * `X-Amz-Target: secretsmanager.GetSecretValue`) to KAFKA_PLC_AWS_CLI_URL: the Run Command executor (which
 * records the read and passes it to the emulator) or the emulator itself (the harness's first configure,
 * before any executor runs). Unsigned: the emulator checks no signature. Any other use exits 2, as the CLI
 * does for a usage it does not know; an AWS error exits 254 with the CLI's message shape.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const SCRIPT = `#!/usr/bin/env node
// kafka-plc test stand-in for the AWS CLI on a harness broker host (test/kafka/aws-cli.ts).
const args = process.argv.slice(2);
const flag = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
if (args[0] !== 'secretsmanager' || args[1] !== 'get-secret-value' || flag('--query') !== '[VersionId,SecretString]' || flag('--output') !== 'text' || !flag('--secret-id')) {
  process.stderr.write('aws stand-in: only "secretsmanager get-secret-value --secret-id ID --query [VersionId,SecretString] --output text" is served here\\n');
  process.exit(2);
}
const region = flag('--region') || 'us-west-2';
fetch(process.env.KAFKA_PLC_AWS_CLI_URL, {
  method: 'POST',
  headers: {
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': 'secretsmanager.GetSecretValue',
    'x-kafka-plc-secret-id': flag('--secret-id'),
    authorization: 'AWS4-HMAC-SHA256 Credential=broker-instance-role/20261201/' + region + '/secretsmanager/aws4_request, SignedHeaders=host, Signature=0',
  },
  body: JSON.stringify({ SecretId: flag('--secret-id') }),
})
  .then(async (r) => {
    const text = await r.text();
    if (r.status !== 200) {
      let code = 'Unknown';
      try { code = String(JSON.parse(text).__type || code).split('#').pop(); } catch {}
      process.stderr.write('\\nAn error occurred (' + code + ') when calling the GetSecretValue operation: ' + text + '\\n');
      process.exit(254);
    }
    const out = JSON.parse(text);
    process.stdout.write(out.VersionId + '\\t' + out.SecretString + '\\n');
  })
  .catch((e) => { process.stderr.write('aws stand-in: ' + e.message + '\\n'); process.exit(255); });
`;

/** Writes the stand-in as `bin/aws`. */
export function installAwsCli(bin: string): void {
  writeFileSync(join(bin, 'aws'), SCRIPT);
  chmodSync(join(bin, 'aws'), 0o755);
}
