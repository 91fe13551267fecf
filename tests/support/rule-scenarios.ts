/**
 * Which rules of detections/rules each EMS-core incident scenario must trigger, and which rules are "incident"
 * rules that a normal office day must not trigger at all. Threshold (correlation) rules are listed apart: they
 * trigger when a group fires in some window, not when one event matches.
 */
import type { ScenarioName } from '../../ems-core/simulation/scenarios.js';

export const SCENARIO_RULES: Partial<Record<ScenarioName, readonly string[]>> = {
  'admin-brute-force': ['ems_admin_login_failed_external_source', 'ems_admin_account_locked_out'],
  'vpn-password-spray': ['ems_vpn_auth_failure_outdated_client', 'ems_vpn_auth_failure_invalid_credentials'],
  'ad-connector-outage': ['ems_ad_directory_unreachable', 'ems_ad_bind_invalid_credentials', 'ems_ad_task_failed'],
  'fds-update-failures': ['ems_fds_unreachable'],
  'service-crash-loop': [
    'ems_core_service_crashed',
    'ems_core_service_restarted_by_monitor',
    'ems_endpoint_connection_service_unavailable',
  ],
  'mass-quarantine': ['ems_endpoint_manually_quarantined', 'ems_endpoint_quarantined'],
};

/**
 * Rules that must stay silent on an office day. Left out on purpose, because a normal day legitimately has such
 * events (they are audit or building-block rules, low/informational, meant for thresholds or review):
 * ems_vpn_auth_failure_invalid_credentials (users mistype passwords), ems_endpoint_quarantined (compliance
 * quarantines), ems_endpoint_deregistered (leavers), ems_ztna_tag_removed (posture), ems_policy_changed and
 * ems_policy_deploy_failed (admin work, offline endpoints), ems_invalid_certificate_allowed (the simulated fleet
 * runs a permissive certificate policy all day), ems_forticlient_upgrade_failed (disk full, reboot pending).
 */
export const INCIDENT_RULES: readonly string[] = [
  'ems_admin_login_failed_external_source',
  'ems_admin_account_locked_out',
  'ems_admin_login_success_external_source',
  'ems_vpn_auth_failure_outdated_client',
  'ems_ad_directory_unreachable',
  'ems_ad_bind_invalid_credentials',
  'ems_ad_task_failed',
  'ems_fds_unreachable',
  'ems_core_service_crashed',
  'ems_core_service_restarted_by_monitor',
  'ems_endpoint_connection_service_unavailable',
  'ems_endpoint_manually_quarantined',
  'ems_log_settings_visibility_lowered',
];

/**
 * The threshold rule each scenario must fire. Peaks on the simulator (seed 1, 3,000 lines): 40 failed console
 * logins from one address in 5 minutes (threshold 5), 19 user names from one address in 10 minutes (5), 40
 * quarantines in 10 minutes (10), 10 crashes of fcems_ecsocksrv in 15 minutes (3), 12 directory failures for
 * corp.example.com in 15 minutes (3).
 */
export const SCENARIO_THRESHOLD_RULES: Partial<Record<ScenarioName, readonly string[]>> = {
  'admin-brute-force': ['ems_admin_console_brute_force'],
  'vpn-password-spray': ['ems_vpn_password_spray'],
  'mass-quarantine': ['ems_endpoints_quarantined_in_bulk'],
  'service-crash-loop': ['ems_core_service_crash_loop'],
  'ad-connector-outage': ['ems_ad_connector_failing_repeatedly'],
};

/**
 * Every threshold rule of the pack; none may fire on an office day. The office day's peaks (20,000 lines, about
 * two weeks) are 1 per group and window for each: one failed console login per address, one VPN user name per
 * address, one quarantine, one deregistration, one crash per service, no directory failure.
 */
export const THRESHOLD_RULES: readonly string[] = [
  'ems_admin_console_brute_force',
  'ems_vpn_password_spray',
  'ems_endpoints_quarantined_in_bulk',
  'ems_endpoints_deregistered_in_bulk',
  'ems_core_service_crash_loop',
  'ems_ad_connector_failing_repeatedly',
  'ems_admin_login_failures_and_success_external_source',
];
