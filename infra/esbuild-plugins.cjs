/**
 * esbuild plugins for serverless-esbuild (custom.esbuild.plugins), loaded with require().
 *
 * sdkClientsPerFunction: functions/lib/aws/clients.ts builds one client of every AWS service the project
 * uses, so every bundle would carry all six SDK clients (~0.1–1 MB each, minified). Before each
 * function's build, a pre-pass bundles it with every client of clients.ts replaced by a stand-in and
 * lists the `@aws-sdk/client-*` packages whose code survives tree-shaking (their commands are used by the
 * function's code); in the real build only the other clients become stand-ins, so each bundle carries
 * only the clients its function uses. A stand-in asked to send a command fails naming the package (it
 * cannot be reached: sending needs a command of that package, which would have kept the real client).
 */
const path = require('node:path');
const fs = require('node:fs');

const CLIENTS_MODULE = path.join('functions', 'lib', 'aws', 'clients.ts');
const CLIENT_PACKAGE = /^@aws-sdk\/client-[a-z0-9-]+$/;

function entryPointsOf(options) {
  const entries = options.entryPoints ?? [];
  if (Array.isArray(entries)) return entries.map((e) => (typeof e === 'string' ? e : e.in));
  return Object.values(entries);
}

/**
 * The client packages whose code survives tree-shaking in this function's bundle when clients.ts's own
 * imports are all stand-ins: that is, the clients whose commands the function's code really uses.
 */
async function usedClientPackages(esbuild, options) {
  const result = await esbuild.build({
    entryPoints: entryPointsOf(options),
    absWorkingDir: options.absWorkingDir,
    bundle: true,
    write: false,
    metafile: true,
    minify: true,
    platform: 'node',
    format: options.format ?? 'cjs',
    target: options.target,
    logLevel: 'silent',
    outdir: 'unused',
    plugins: [standInsFor(() => false)],
  });
  const used = new Set();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const [file, input] of Object.entries(output.inputs)) {
      const match = /node_modules\/(@aws-sdk\/client-[a-z0-9-]+)\//.exec(file);
      if (match && input.bytesInOutput > 0) used.add(match[1]);
    }
  }
  return used;
}

/** Resolves clients.ts's import of a client package to a stand-in unless `keep(package)`. */
function standInsFor(keep) {
  return {
    name: 'kafka-plc-sdk-client-stand-ins',
    setup(build) {
      build.onResolve({ filter: CLIENT_PACKAGE }, (args) => {
        if (!args.importer.endsWith(CLIENTS_MODULE) || keep(args.path)) return undefined;
        return {
          path: args.path,
          namespace: 'kafka-plc-unused-sdk-client',
          pluginData: { importer: args.importer },
        };
      });
      build.onLoad({ filter: /.*/, namespace: 'kafka-plc-unused-sdk-client' }, (args) => {
        const source = fs.readFileSync(args.pluginData.importer, 'utf8');
        const escaped = args.path.replace(/[/-]/g, (c) => `\\${c}`);
        const match = new RegExp(`import\\s*\\{([^}]*)\\}\\s*from\\s*'${escaped}'`).exec(source);
        const names = (match?.[1] ?? '')
          .split(',')
          .map((n) => n.trim().replace(/^type\s+/, ''))
          .filter(Boolean);
        return { contents: names.map((name) => standIn(args.path, name)).join('\n'), loader: 'js' };
      });
    },
  };
}

function standIn(packageName, className) {
  return `
export class ${className} {
  constructor(config) {
    this.config = config ?? {};
    this.middlewareStack = { add() {}, addRelativeTo() {}, use() {}, remove() { return false; } };
  }
  send() {
    return Promise.reject(new Error('${packageName} is not bundled into this function (no command of it is imported)'));
  }
  destroy() {}
}
`;
}

const sdkClientsPerFunction = {
  name: 'kafka-plc-sdk-clients-per-function',
  setup(build) {
    let used = new Set();
    const esbuild = build.esbuild ?? require('esbuild');
    build.onStart(async () => {
      used = await usedClientPackages(esbuild, build.initialOptions);
    });
    standInsFor((pkg) => used.has(pkg)).setup(build);
  },
};

module.exports = [sdkClientsPerFunction];
