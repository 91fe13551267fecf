/**
 * The System page's data (`GET /console/api/system`): the process's own metrics per component, as `/metrics` shows
 * them, with rates, last errors, the search cluster's health and the EMS core's services. Types only (no code): the
 * service fills the process part, the console's route adds the rest, the browser reads it.
 */

export type SystemComponentKind = 'source' | 'transform' | 'sink';

/** A component's last error: what its error counter cannot say. */
export interface SystemLastError {
  message: string;
  stage: string;
  errorType: string;
  /** ISO instant. */
  at: string;
}

/** A count by label value (a discard reason, an error's `stage/error_type`). */
export interface SystemCount {
  key: string;
  count: number;
}

export interface SystemComponent {
  id: string;
  kind: SystemComponentKind;
  type: string;
  /** `fortiems_component_received_events_total` / `_bytes_total`. */
  receivedEvents: number;
  receivedBytes: number;
  /** `fortiems_component_sent_events_total` / `_bytes_total`, every `output` added. */
  sentEvents: number;
  sentBytes: number;
  /** Events per second over `SystemSnapshot.rateWindowSeconds`; null on the first read (nothing to compare with yet). */
  inPerSecond: number | null;
  outPerSecond: number | null;
  /** `fortiems_component_errors_total`, all of them and by `stage/error_type`. */
  errors: number;
  errorsBy: SystemCount[];
  /** `fortiems_component_discarded_events_total` by `reason`. */
  discarded: number;
  discardedBy: SystemCount[];
  deadLettered: number;
  deduplicated: number;
  recovered: number;
  /** `fortiems_buffer_events` / `_bytes`: a sink's buffer (its disk spool, or its memory queue). */
  bufferEvents: number;
  bufferBytes: number;
  /** A sink's `buffer.type` (`disk` is a spool); absent for the others. */
  bufferType?: 'disk' | 'memory' | undefined;
  /** The parse stage only: the queue in front of it (`fortiems_pipeline_queue_events` / `_bytes`). */
  queueEvents?: number | undefined;
  queueBytes?: number | undefined;
  /** Stream sources: `fortiems_component_open_connections`. */
  openConnections?: number | undefined;
  /** Sinks: `fortiems_unaccounted_events` (0 at rest). */
  unaccounted?: number | undefined;
  lastError: SystemLastError | null;
}

export interface SystemDetections {
  /** `fortiems_detection_runs_total` by outcome. */
  runsOk: number;
  runsFailed: number;
  /** `fortiems_detection_alerts_total`, every rule and level. */
  alerts: number;
  ruleErrors: number;
  /** `fortiems_detection_rules` by state. */
  rulesActive: number;
  rulesSkipped: number;
  rulesRefused: number;
  /** ISO instant of the last successful run's end; null before the first. */
  lastRun: string | null;
  lastRunSeconds: number;
  lastError: SystemLastError | null;
}

/** The process part, read from the registry `/metrics` serves. */
export interface SystemSnapshot {
  /** ISO instant of the read. */
  at: string;
  /** The span the rates are computed over (between this read and an earlier one); null on the first read. */
  rateWindowSeconds: number | null;
  components: SystemComponent[];
  /** Null when no detections run in this process. */
  detections: SystemDetections | null;
}

export type SystemClusterHealth =
  | {
      status: 'green' | 'yellow' | 'red' | string;
      clusterName: string;
      nodes: number;
      dataNodes: number;
      activeShards: number;
      unassignedShards: number;
    }
  | { error: string };

export interface SystemEmsService {
  name: string;
  severity: string;
  up: boolean;
  restarts: number;
  downSince: string | null;
}

export type SystemEms = { services: SystemEmsService[] } | { error: string } | { notConfigured: true };

export interface SystemAnswer extends SystemSnapshot {
  opensearch: SystemClusterHealth;
  ems: SystemEms;
}
