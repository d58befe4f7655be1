// The stored policies an apply reads: each one's current draft and the revision number it equals.
import type { Db } from '../db/index.js';
import { listPolicyRows } from '../db/policies.js';

export interface DraftPolicy {
  name: string;
  revision: number;
  /** The stored JSON document (checked again in preflight). */
  json: unknown;
}

/** Every stored policy in display/evaluation order. */
export function storedPolicies(db: Db): DraftPolicy[] {
  return listPolicyRows(db).map((r) => ({ name: r.name, revision: r.revision, json: JSON.parse(r.json) as unknown }));
}
