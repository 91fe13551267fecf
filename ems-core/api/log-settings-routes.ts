import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { applyPatch, type LogSettingsPatch, parseSettings, SettingsError } from '../log-settings/settings.js';
import type { SettingsFile } from '../log-settings/store.js';
import type { Simulation } from '../simulation/simulation.js';

export interface LogSettingsRoutesOptions {
  sim: Simulation;
  settingsFile?: SettingsFile | undefined;
}

// The admin name goes into audit lines; it is a label, not a credential (the token is), so keep it short and plain.
const ADMIN_HEADER = 'x-fortiems-admin';
const auditHeaders = {
  type: 'object',
  properties: { [ADMIN_HEADER]: { type: 'string', pattern: '^[A-Za-z0-9._@-]{1,64}$' } },
} as const;

// What a valid value is lives in log-settings/settings.ts alone (its problems are the 400 body), so the
// schemas only check the shape: no per-field types here that could drift from it or be coerced.
const patchSchema = { headers: auditHeaders, body: { type: 'object' } } as const;
const replaceSchema = {
  headers: auditHeaders,
  body: { type: 'object', required: ['categories', 'destinations', 'retentionDays'] },
} as const;

interface AuditedRequest {
  Headers: { [ADMIN_HEADER]?: string };
  Body: LogSettingsPatch;
}

function actorOf(request: FastifyRequest<AuditedRequest>): { admin: string; srcip: string } {
  // An IPv4 client on a dual-stack socket shows as ::ffff:a.b.c.d; the audit line wants a.b.c.d.
  return { admin: request.headers[ADMIN_HEADER] ?? 'api', srcip: request.ip.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '') };
}

/** GET, PATCH and PUT /log-settings: each change is applied live, audited as an ems-event line, and persisted. */
export const logSettingsRoutes: FastifyPluginAsync<LogSettingsRoutesOptions> = async (app, { sim, settingsFile }) => {
  const ems = sim.ems;

  function update(request: FastifyRequest<AuditedRequest>, reply: FastifyReply, patch: LogSettingsPatch) {
    let next: ReturnType<typeof applyPatch>;
    try {
      next = applyPatch(ems.getSettings(), patch);
    } catch (error) {
      if (error instanceof SettingsError) return reply.code(400).send({ error: 'invalid log settings', problems: error.problems });
      throw error;
    }
    // Persist before applying: if the disk write fails the running EMS keeps the settings its file has.
    // Nothing runs between the two (synchronous), so updateSettings computes the same changes as applyPatch did.
    if (settingsFile && next.changes.length > 0) settingsFile.save(next.settings);
    const changes = ems.updateSettings(patch, actorOf(request));
    return reply.send({ settings: ems.getSettings(), changes });
  }

  app.get('/log-settings', async () => ems.getSettings());

  app.patch<AuditedRequest>('/log-settings', { schema: patchSchema }, async (request, reply) => update(request, reply, request.body));

  app.put<AuditedRequest>('/log-settings', { schema: replaceSchema }, async (request, reply) => {
    let replacement: ReturnType<typeof parseSettings>;
    try {
      replacement = parseSettings(request.body);
    } catch (error) {
      if (error instanceof SettingsError) return reply.code(400).send({ error: 'invalid log settings', problems: error.problems });
      throw error;
    }
    // A replacement is sent as a patch of every setting, so each leaf that differs is audited like any other change.
    const { categories, destinations, retentionDays } = replacement;
    return update(request, reply, { categories, destinations, retentionDays });
  });
};
