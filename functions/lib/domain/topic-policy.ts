/**
 * The policy the endpoint-connection topic needs: PrivateLink (vpce.amazonaws.com) may publish to it, for
 * endpoint services of the topic's own account only (confused-deputy protection), as the stack's
 * ConnectionNotificationTopicPolicy (infra/notifications.yml) does. Without it a connection notification is
 * never delivered ("Receive alerts for endpoint service events", AWS PrivateLink guide).
 */
export function connectionTopicPolicy(topicArn: string): string {
  const [, partition, , region, account] = topicArn.split(':');
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'PrivateLinkPublishesConnectionEvents',
        Effect: 'Allow',
        Principal: { Service: 'vpce.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: topicArn,
        Condition: {
          StringEquals: { 'aws:SourceAccount': account },
          ArnLike: { 'aws:SourceArn': `arn:${partition}:ec2:${region}:${account}:vpc-endpoint-service/*` },
        },
      },
    ],
  });
}
