/**
 * The ISM (Index State Management plugin) policy `fortiems-logs`: retention for the fortiems data streams.
 *
 * hot: roll the write index over at 1 day or 25 GB of primary shard size (whichever comes first), then
 * delete: once a backing index is `retentionDays` old (default 30, like EMS's own log retention). A backing index
 * is created when its predecessor rolls over, so data lives `retentionDays` to `retentionDays + 1` days.
 *
 * For a data stream, ISM matches `ism_template.index_patterns` against the data stream's NAME (not the hidden
 * `.ds-...` backing index), so `logs-fortiems.*` catches every category and namespace; rollover of a data stream
 * needs no rollover alias. ISM only auto-manages indices created AFTER the policy (and its template) was stored,
 * so the installer stores the policy before it creates the data streams.
 */
export const ISM_POLICY_ID = 'fortiems-logs';
export const DEFAULT_RETENTION_DAYS = 30;
export const ISM_INDEX_PATTERNS = ['logs-fortiems.*'];

export interface IsmPolicyOptions {
  retentionDays?: number;
  rolloverAge?: string;
  rolloverPrimaryShardSize?: string;
}

export interface IsmPolicyBody {
  policy: {
    description: string;
    default_state: string;
    states: {
      name: string;
      actions: Record<string, unknown>[];
      transitions: { state_name: string; conditions?: Record<string, string> }[];
    }[];
    ism_template: { index_patterns: string[]; priority: number }[];
  };
}

export function checkRetentionDays(days: number): number {
  if (!Number.isInteger(days) || days < 1 || days > 36500)
    throw new Error(`retention days must be a whole number from 1 to 36500, not ${days}`);
  return days;
}

/** The body of `PUT _plugins/_ism/policies/fortiems-logs`. */
export function ismPolicy(options: IsmPolicyOptions = {}): IsmPolicyBody {
  const retentionDays = checkRetentionDays(options.retentionDays ?? DEFAULT_RETENTION_DAYS);
  const rolloverAge = options.rolloverAge ?? '1d';
  const rolloverSize = options.rolloverPrimaryShardSize ?? '25gb';
  return {
    policy: {
      // The installer compares descriptions to tell an unchanged policy: every parameter must show in it.
      description: `fortiems EMS logs: roll over at ${rolloverAge} of age or ${rolloverSize} per primary shard, delete after ${retentionDays} days`,
      default_state: 'hot',
      states: [
        {
          name: 'hot',
          actions: [{ rollover: { min_index_age: rolloverAge, min_primary_shard_size: rolloverSize } }],
          transitions: [{ state_name: 'delete', conditions: { min_index_age: `${retentionDays}d` } }],
        },
        { name: 'delete', actions: [{ delete: {} }], transitions: [] },
      ],
      ism_template: [{ index_patterns: [...ISM_INDEX_PATTERNS], priority: 100 }],
    },
  };
}
