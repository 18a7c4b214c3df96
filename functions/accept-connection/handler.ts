/**
 * acceptConnection: triggered by the endpoint service's SNS connection notification (Connect events), the
 * fast path. The message only wakes us up (and may narrow the sweep to its service); what is accepted is
 * decided from DescribeVpcEndpointConnections and the service's allowed principals.
 */

import { requireEnv } from '../lib/env';
import { taskHandler } from '../lib/handler';
import { acceptOptionsFromEnv, acceptPendingConnections, serviceIdsIn } from '../lib/steps/accept';
import { z } from '../lib/zod';

const snsEvent = z.object({
  Records: z._default(z.array(z.object({ Sns: z.object({ Message: z._default(z.string(), '') }) })), []),
});

export const handler = taskHandler('AcceptConnection', snsEvent, ({ Records }) =>
  acceptPendingConnections(requireEnv('AWS_REGION'), {
    ...acceptOptionsFromEnv(),
    onlyServiceIds: Records.flatMap((r) => serviceIdsIn(r.Sns.Message)),
  }),
);
