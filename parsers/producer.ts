import { CATALOGUE, type CategoryName, eventByMessage, isCategoryName } from '../mappings/index.js';

/** Who wrote the line (reference §2-§3, §7); `syslog`: anyone else, a generic syslog line (generic-syslog.ts). */
export type Producer = 'ems' | 'forticlient' | 'fortianalyzer' | 'fortigate' | 'syslog' | 'unknown';
/** What a key=value body tells: a generic syslog line is decided by the parser, not by its pairs. */
export type BodyProducer = Exclude<Producer, 'syslog'>;

/** EMS subtype → category; `admin` and `endpoint` are both ems-client. */
const CATEGORY_BY_SUBTYPE = new Map<string, CategoryName>();
for (const category of CATALOGUE) {
  for (const event of category.events) if (!CATEGORY_BY_SUBTYPE.has(event.subtype)) CATEGORY_BY_SUBTYPE.set(event.subtype, category.name);
}

export function detectProducer(pairs: Record<string, string>, tag: string | undefined): BodyProducer {
  if (tag && isCategoryName(tag)) return 'ems';
  if ('emsserial' in pairs && 'dtime' in pairs) return 'ems';
  const logid = pairs.logid;
  if ((logid?.startsWith('01070450') && pairs.subtype === 'endpoint') || ('fctuid' in pairs && 'devname' in pairs && !('fctsn' in pairs)))
    return 'fortigate';
  if ('itime' in pairs && 'fctsn' in pairs) return 'fortianalyzer';
  if ('logver' in pairs || ('date' in pairs && 'time' in pairs && ('fctver' in pairs || 'eventtype' in pairs))) return 'forticlient';
  if ('emsserial' in pairs) return 'ems';
  return 'unknown';
}

/** The EMS category: the tag when it names one; otherwise inferred from the subtype, then from the message vocabulary. */
export function inferCategory(pairs: Record<string, string>, tag: string | undefined): CategoryName | undefined {
  if (tag && isCategoryName(tag)) return tag;
  const bySubtype = pairs.subtype ? CATEGORY_BY_SUBTYPE.get(pairs.subtype) : undefined;
  if (bySubtype) return bySubtype;
  const msg = pairs.msg;
  if (msg !== undefined) for (const category of CATALOGUE) if (eventByMessage(category.name, msg)) return category.name;
  return undefined;
}
