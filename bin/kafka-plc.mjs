#!/usr/bin/env node
// kafka-plc CLI entry: runs the TypeScript sources through tsx (a runtime dependency), no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
