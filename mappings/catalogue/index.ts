import { emsAdconnector } from './categories/ems-adconnector.js';
import { emsAddaemonworker } from './categories/ems-addaemonworker.js';
import { emsAuthentication } from './categories/ems-authentication.js';
import { emsClient } from './categories/ems-client.js';
import { emsError } from './categories/ems-error.js';
import { emsEvent } from './categories/ems-event.js';
import { emsNetwork } from './categories/ems-network.js';
import { emsPolicy } from './categories/ems-policy.js';
import { emsUpdate } from './categories/ems-update.js';
import { emsVpn } from './categories/ems-vpn.js';
import type { CategoryDefinition, CategoryName, CategoryRecord, EventDefinition } from './define-category.js';

export { emsAdconnector, emsAddaemonworker, emsAuthentication, emsClient, emsError, emsEvent, emsNetwork, emsPolicy, emsUpdate, emsVpn };

/** The ten EMS log categories, in the order of the reference. */
export const CATALOGUE = [
  emsClient,
  emsNetwork,
  emsVpn,
  emsAuthentication,
  emsPolicy,
  emsAdconnector,
  emsAddaemonworker,
  emsUpdate,
  emsEvent,
  emsError,
] as const satisfies readonly CategoryDefinition[];

export type Catalogue = typeof CATALOGUE;
export type AnyCategory = Catalogue[number];

/** The typed record of each category, derived from its Avro schema. */
export type EmsRecords = { [C in AnyCategory as C['name']]: CategoryRecord<C> };
export type EmsRecord<Name extends CategoryName = CategoryName> = EmsRecords[Name];

const BY_NAME = new Map<string, AnyCategory>(CATALOGUE.map((category) => [category.name, category]));

export function categoryByName(name: string): AnyCategory | undefined {
  return BY_NAME.get(name);
}

export function isCategoryName(name: string): name is CategoryName {
  return BY_NAME.has(name);
}

const EVENTS_BY_MESSAGE = new Map<string, Map<string, EventDefinition>>(
  CATALOGUE.map((category) => [category.name, new Map(category.events.map((event) => [event.msg, event as EventDefinition]))]),
);
const EVENTS_BY_ID = new Map<string, Map<string, EventDefinition>>(
  CATALOGUE.map((category) => [category.name, new Map(category.events.map((event) => [event.id, event as EventDefinition]))]),
);

/** The vocabulary entry behind a message, or undefined for a message the catalogue does not know. */
export function eventByMessage(category: CategoryName, msg: string): EventDefinition | undefined {
  return EVENTS_BY_MESSAGE.get(category)?.get(msg);
}

export function eventById(category: CategoryName, id: string): EventDefinition | undefined {
  return EVENTS_BY_ID.get(category)?.get(id);
}

/** `ems-client` → `fortiems.client`; the data stream is `logs-fortiems.client-<namespace>`. */
export function dataStreamName(category: CategoryName, namespace = 'default'): string {
  const found = BY_NAME.get(category);
  if (!found) throw new Error(`unknown EMS log category '${category}'`);
  return `logs-${found.dataset}-${namespace}`;
}
