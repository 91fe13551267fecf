import { adConnectorBoard } from './ad-connector.js';
import { adminAuthBoard } from './admin-auth.js';
import { alertsBoard } from './alerts.js';
import { endpointSecurityBoard } from './endpoint-security.js';
import { endpointsBoard } from './endpoints.js';
import { errorsBoard } from './errors.js';
import { eventDetailsBoard } from './event-details.js';
import type { Board } from './model.js';
import { overviewBoard } from './overview.js';
import { updatesBoard } from './updates.js';
import { vpnBoard } from './vpn.js';

export type { Board, BoardSource, Panel, PanelKind, PanelQuery, TemplateVariable } from './model.js';
export {
  ALERTS_INDEX_PATTERN,
  boardIndexPattern,
  boardSource,
  boardVariables,
  EVENTS_INDEX_PATTERN,
  TEMPLATE_VARIABLES,
} from './model.js';

/** Every board, in menu order: the overview first, the raw events, then the alert activity last. */
export const BOARDS: readonly Board[] = [
  overviewBoard,
  endpointsBoard,
  endpointSecurityBoard,
  adminAuthBoard,
  vpnBoard,
  adConnectorBoard,
  updatesBoard,
  errorsBoard,
  eventDetailsBoard,
  alertsBoard,
];

/** The board with this id (the console's route, the Grafana uid), or undefined. */
export function boardById(id: string): Board | undefined {
  return BOARDS.find((board) => board.id === id);
}
