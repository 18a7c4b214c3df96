/** SNS adapter: the topic endpoint-connection notifications are published to. */
import {
  CreateTopicCommand,
  GetTopicAttributesCommand,
  SetTopicAttributesCommand,
} from '@aws-sdk/client-sns';
import { connectionTopicPolicy } from '../domain/topic-policy';
import { snsClient } from './clients/sns';
import { call } from './errors';

/**
 * The topic for endpoint connection notifications, outside a stack (a local run): CreateTopic is idempotent
 * for the same name and returns the existing topic's ARN; the policy that lets PrivateLink publish is set
 * unless the topic has exactly that one already.
 */
export async function ensureTopic(region: string, name: string): Promise<string> {
  const out = await call('CreateTopic', () => snsClient(region).send(new CreateTopicCommand({ Name: name })));
  const arn = out.TopicArn ?? '';
  const policy = connectionTopicPolicy(arn);
  const current = await call('GetTopicAttributes', () =>
    snsClient(region).send(new GetTopicAttributesCommand({ TopicArn: arn })),
  );
  const same = (a: string | undefined) => a !== undefined && JSON.stringify(JSON.parse(a)) === policy;
  if (!same(current.Attributes?.Policy)) {
    await call('SetTopicAttributes', () =>
      snsClient(region).send(
        new SetTopicAttributesCommand({ TopicArn: arn, AttributeName: 'Policy', AttributeValue: policy }),
      ),
    );
  }
  return arn;
}

/** A topic outside a stack (a local run's alarm topic): CreateTopic returns the existing topic's ARN. */
export async function createTopic(region: string, name: string): Promise<string> {
  const out = await call('CreateTopic', () => snsClient(region).send(new CreateTopicCommand({ Name: name })));
  return out.TopicArn ?? '';
}
