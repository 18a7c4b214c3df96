/** SNS adapter: the topic endpoint-connection notifications are published to. */
import { CreateTopicCommand } from '@aws-sdk/client-sns';
import { snsClient } from './clients/sns';
import { call } from './errors';

/** CreateTopic is idempotent for the same name and attributes: it returns the existing topic's ARN. */
export async function ensureTopic(region: string, name: string): Promise<string> {
  const out = await call('CreateTopic', () => snsClient(region).send(new CreateTopicCommand({ Name: name })));
  return out.TopicArn ?? '';
}
