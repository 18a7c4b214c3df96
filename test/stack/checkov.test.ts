/**
 * checkov (pinned in test/requirements.txt, installed into .venv by scripts/setup-tools.sh) on the packaged
 * template: no failed check. What does not apply is skipped in the template's own Metadata with a reason
 * (infra/checkov.cjs for the generated functions, log groups and bucket); this test lists those reasons.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { packagedTemplate, TEMPLATE } from '../aws-model/template';
import { ROOT } from '../helpers/tools';

const run = promisify(execFile);

interface CheckovReport {
  summary: { passed: number; failed: number; skipped: number; resource_count: number };
  results: {
    failed_checks: { check_id: string; check_name: string; resource: string }[];
    skipped_checks: { check_id: string; resource: string; check_result: { suppress_comment?: string } }[];
  };
}

let report: CheckovReport;
beforeAll(async () => {
  packagedTemplate(); // packaged by vitest's global setup
  const args = ['-f', TEMPLATE, '--framework', 'cloudformation', '-o', 'json', '--compact'];
  const out = await run(`${ROOT}.venv/bin/checkov`, args, { maxBuffer: 64 * 1024 * 1024 }).catch(
    // checkov exits 1 when a check fails; its JSON is on stdout either way
    (error: { stdout?: string; message: string }) => {
      if (error.stdout) return { stdout: error.stdout };
      throw error;
    },
  );
  const parsed = JSON.parse(out.stdout) as CheckovReport | CheckovReport[];
  report = Array.isArray(parsed) ? (parsed[0] as CheckovReport) : parsed;
}, 180_000);

describe('checkov on the packaged template', () => {
  it('finds no failed check', () => {
    const failed = report.results.failed_checks.map((c) => `${c.check_id} ${c.resource}: ${c.check_name}`);
    expect(failed).toEqual([]);
    expect(report.summary.passed).toBeGreaterThan(100);
  });

  it('every skip carries a reason', () => {
    const skipped = report.results.skipped_checks;
    const reason = (c: (typeof skipped)[number]) => c.check_result.suppress_comment ?? '';
    expect(skipped.filter((c) => reason(c).length < 20).map((c) => `${c.check_id} ${c.resource}`)).toEqual(
      [],
    );
    const ids = [...new Set(skipped.map((c) => c.check_id))].sort();
    console.info(
      `checkov: ${report.summary.passed} passed, ${report.summary.failed} failed, ${skipped.length} skipped (${ids.join(', ')}) over ${report.summary.resource_count} resources`,
    );
  });
});
