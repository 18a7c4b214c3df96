#!/usr/bin/env node
// kafka-plc CLI entry: runs the TypeScript sources through tsx (a runtime dependency), no build step.
import { register } from 'tsx/esm/api';

// Lambda code logs JSON through Powertools; on a terminal only warnings and errors (on stderr) are wanted,
// so stdout carries nothing but the command's result. Set before any module creates its logger.
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
const { installHumanLogs } = await import('../cli/human-logs.ts');
if (!process.env.KAFKA_PLC_JSON_LOGS) installHumanLogs();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
