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
  'malware-outbreak': ['ems_malware_left_unremediated'],
  'ransomware-attack': ['ems_ransomware_detected', 'ems_exploit_blocked', 'ems_malware_left_unremediated'],
  'exposed-critical-vulnerability': ['ems_critical_vulnerability_internet_facing'],
  'rogue-admin-after-hours': ['ems_admin_login_success_external_source'],
  'admin-tampering': ['ems_policy_deleted', 'ems_quarantine_released', 'ems_stopped', 'ems_endpoint_deregistered'],
};

/**
 * Rules that must stay silent on an office day. Left out on purpose, because a normal day legitimately has such
 * events (they are audit or building-block rules, low/informational, meant for thresholds or review):
 * ems_vpn_auth_failure_invalid_credentials (users mistype passwords), ems_endpoint_quarantined (compliance
 * quarantines), ems_endpoint_deregistered (leavers), ems_ztna_tag_removed (posture), ems_policy_changed and
 * ems_policy_deploy_failed (admin work, offline endpoints), ems_invalid_certificate_allowed (the simulated fleet
 * runs a permissive certificate policy all day), ems_forticlient_upgrade_failed (disk full, reboot pending),
 * ems_exploit_blocked (the office day blocks an exploit on about a third of weekdays: a true positive worth an alert,
 * but not an incident of the simulator), ems_malware_left_unremediated (scheduled scans report a few files they only
 * detect or block) and ems_quarantine_released (compliance quarantines are lifted again).
 * Scenario unpatched-critical-vulnerability has no rule: an office workstation with open critical CVEs is the normal
 * fleet's scan backlog too (most endpoints report the same findings every day), a vulnerability-management report
 * rather than an alert; ems_critical_vulnerability_internet_facing covers the exposed case.
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
  'ems_ransomware_detected',
  'ems_critical_vulnerability_internet_facing',
  'ems_policy_deleted',
  'ems_stopped',
];

/**
 * The threshold rule each scenario must fire. Peaks on the simulator (seed 1, 3,000 lines): 40 failed console
 * logins from one address in 5 minutes (threshold 5), 19 user names from one address in 10 minutes (5), 40
 * quarantines in 10 minutes (10), 10 crashes of fcems_ecsocksrv in 15 minutes (3), 12 directory failures for
 * corp.example.com in 15 minutes (3), one trojan on 8 endpoints in 30 minutes (4), a tag dropped from 20 endpoints in
 * 10 minutes (15), 12 certificates revoked and 12 endpoints deregistered in 3 minutes (10), 14 endpoints with untrusted
 * certificates in 10 minutes (10), 6 failed registrations in 8 minutes (5).
 */
export const SCENARIO_THRESHOLD_RULES: Partial<Record<ScenarioName, readonly string[]>> = {
  'admin-brute-force': ['ems_admin_console_brute_force'],
  'vpn-password-spray': ['ems_vpn_password_spray'],
  'mass-quarantine': ['ems_endpoints_quarantined_in_bulk'],
  'service-crash-loop': ['ems_core_service_crash_loop'],
  'ad-connector-outage': ['ems_ad_connector_failing_repeatedly'],
  'malware-outbreak': ['ems_malware_outbreak'],
  'rogue-admin-after-hours': ['ems_admin_account_created_and_elevated_after_hours'],
  'admin-tampering': ['ems_ztna_tags_changed_in_bulk', 'ems_ztna_certificates_revoked_in_bulk', 'ems_endpoints_deregistered_in_bulk'],
  'tls-interception': ['ems_invalid_certificate_spree', 'ems_registration_failure_spree'],
};

/**
 * Every threshold rule of the pack; none may fire on an office day. The office day's peaks (20,000 lines, about
 * two weeks) are 1 per group and window for each: one failed console login per address, one VPN user name per
 * address, one quarantine, one deregistration, one crash per service, no directory failure; one endpoint per
 * malware signature in 30 minutes (threshold 4), 7 endpoints per Zero Trust tag in 10 minutes (15), 3 endpoints
 * with an invalid certificate in 10 minutes (10), no registration failure, no certificate revoked, no
 * administrator account change outside office hours.
 */
export const THRESHOLD_RULES: readonly string[] = [
  'ems_admin_console_brute_force',
  'ems_vpn_password_spray',
  'ems_endpoints_quarantined_in_bulk',
  'ems_endpoints_deregistered_in_bulk',
  'ems_core_service_crash_loop',
  'ems_ad_connector_failing_repeatedly',
  'ems_admin_login_failures_and_success_external_source',
  'ems_malware_outbreak',
  'ems_admin_account_created_and_elevated_after_hours',
  'ems_registration_failure_spree',
  'ems_invalid_certificate_spree',
  'ems_ztna_tags_changed_in_bulk',
  'ems_ztna_certificates_revoked_in_bulk',
];
