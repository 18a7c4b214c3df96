/**
 * Resolved by serverless.yml (`custom.sourcesChecked: ${file(infra/check-sources.cjs)}`) before anything
 * is packaged: every function's handler file and every state machine definition must exist. A missing one
 * fails packaging with its path and function key, instead of a bundler error (or an empty definition)
 * later. Returns the counts it checked.
 */
const fs = require('node:fs');
const path = require('node:path');
const { parse } = require('yaml');

/** `functions/ensure-network/handler.handler` → the TypeScript file esbuild bundles. */
function handlerFile(handler) {
  return `${handler.slice(0, handler.lastIndexOf('.'))}.ts`;
}

function missingSources(serviceDir) {
  const config = parse(fs.readFileSync(path.join(serviceDir, 'serverless.yml'), 'utf8'));
  const missing = [];
  const functions = Object.entries(config.functions ?? {});
  for (const [key, fn] of functions) {
    const file = handlerFile(fn.handler);
    if (!fs.existsSync(path.join(serviceDir, file))) missing.push(`${file} (function ${key})`);
  }
  const machines = Object.entries(config.stepFunctions?.stateMachines ?? {});
  for (const [key, machine] of machines) {
    const file = /\$\{file\(([^)]+)\)\}/.exec(String(machine.definition))?.[1];
    if (file && !fs.existsSync(path.join(serviceDir, file))) missing.push(`${file} (state machine ${key})`);
  }
  return { missing, functions: functions.length, stateMachines: machines.length };
}

module.exports = async () => {
  const serviceDir = path.resolve(__dirname, '..');
  const { missing, functions, stateMachines } = missingSources(serviceDir);
  if (missing.length > 0) {
    throw new Error(
      `kafka-plc stack: serverless.yml references sources that do not exist yet:\n  - ${missing.join('\n  - ')}\n` +
        'Add them (or remove their entries from serverless.yml) and package again.',
    );
  }
  return `${functions} handlers and ${stateMachines} state machine definitions present`;
};
module.exports.missingSources = missingSources;
