/**
 * The ILM (Elasticsearch's index lifecycle management) policy `fortiems-logs`: the same retention the ISM policy gives
 * OpenSearch. hot: roll the write index over at 1 day or 25 GB of primary shard size; delete: once a backing index is
 * `retentionDays` old, counted from its rollover (ILM's `min_age` of a later phase), so data lives `retentionDays` to
 * `retentionDays + 1` days, as with ISM.
 *
 * ILM is attached by the index template (`index.lifecycle.name` in the settings component), not by a pattern in the
 * policy as ISM's `ism_template` is; a data stream's backing indices created before the template named it are not
 * managed.
 */
import { checkRetentionDays, DEFAULT_RETENTION_DAYS, ISM_POLICY_ID } from '../opensearch/ism-policy.js';

/** The same name as the ISM policy: one retention, whichever engine enforces it. */
export const ILM_POLICY_ID = ISM_POLICY_ID;

export interface IlmPolicyOptions {
  retentionDays?: number;
  rolloverAge?: string;
  rolloverPrimaryShardSize?: string;
}

export interface IlmPolicyBody {
  policy: {
    _meta: { managed_by: 'fortiems'; description: string };
    phases: {
      hot: { min_age: '0ms'; actions: { rollover: { max_age: string; max_primary_shard_size: string } } };
      delete: { min_age: string; actions: { delete: Record<string, never> } };
    };
  };
}

/** The body of `PUT _ilm/policy/fortiems-logs`. */
export function ilmPolicy(options: IlmPolicyOptions = {}): IlmPolicyBody {
  const retentionDays = checkRetentionDays(options.retentionDays ?? DEFAULT_RETENTION_DAYS);
  const rolloverAge = options.rolloverAge ?? '1d';
  const rolloverSize = options.rolloverPrimaryShardSize ?? '25gb';
  return {
    policy: {
      // The installer compares descriptions to tell an unchanged policy: every parameter must show in it.
      _meta: {
        managed_by: 'fortiems',
        description: `fortiems EMS logs: roll over at ${rolloverAge} of age or ${rolloverSize} per primary shard, delete after ${retentionDays} days`,
      },
      phases: {
        // ILM's rollover conditions are maxima (OpenSearch ISM's are minima): either one reached rolls over.
        hot: { min_age: '0ms', actions: { rollover: { max_age: rolloverAge, max_primary_shard_size: rolloverSize } } },
        delete: { min_age: `${retentionDays}d`, actions: { delete: {} } },
      },
    },
  };
}
