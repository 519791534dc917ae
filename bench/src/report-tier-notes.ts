/**
 * Notes on what a tier's rows include that the others leave out (a network hop, a replication protocol), shown
 * once above the scenario tables of the markdown and HTML reports, and only when the tier has rows in the run.
 */
import type { BenchReport } from './report-types.ts';
import { CEPH_RGW_COST_NOTE, CEPH_RGW_TIER } from './tiers/ceph-rgw.ts';

/** Tier name → the paragraph explaining its cost. */
const TIER_NOTES: Readonly<Record<string, string>> = {
  [CEPH_RGW_TIER]: CEPH_RGW_COST_NOTE,
};

/** The notes of the tiers measured in `report`, in the order of {@link TIER_NOTES}. */
export function tierNotes(report: Pick<BenchReport, 'groups'>): string[] {
  const measured = new Set(report.groups.flatMap((g) => g.measurements.map((m) => m.tier)));
  return Object.entries(TIER_NOTES)
    .filter(([tier]) => measured.has(tier))
    .map(([, note]) => note);
}
