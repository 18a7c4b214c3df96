/** Lambda bundles (packaged offline): sizes, cold import time, our code's overhead over the bare SDK clients. */
import { benchBundles } from '../scripts/bench-bundles';

export const name = 'bundles';

export async function run(): Promise<Record<string, number>> {
  const result = await benchBundles({ runs: 5, packageFirst: true });
  return {
    bundle_bytes_max: result.bundle_bytes_max,
    bundle_bytes_total: result.bundle_bytes_total,
    cold_import_ms_max: result.cold_import_ms_max,
    cold_import_overhead_ratio_max: result.cold_import_overhead_ratio_max,
  };
}
