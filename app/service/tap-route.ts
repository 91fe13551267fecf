import type { FastifyPluginAsync } from 'fastify';
import { PARSE_COMPONENT, type TapHub, type TapKind } from '../../ingest/pipeline/tap-hub.js';
import { tokenCheck } from '../../platform/http/bearer-token.js';

export interface TapRouteOptions {
  hub: TapHub;
  /** The components a tap may name (the running configuration's). */
  components: () => ReadonlyMap<string, TapKind>;
  /** `http.tap_token` or the generated one: the route never answers without it. */
  token: string;
  /** Taps open at once (default 8); each holds up to its queue's bound. */
  maxTaps?: number;
}

interface TapQuery {
  component?: string;
  filter?: string;
  limit?: string;
}

/** Hard ceiling on `limit`: a tap is for looking, not for exporting. */
const MAX_LIMIT = 1_000_000;

/**
 * GET /tap?component=ID&filter=QUERY&limit=N (`fortiems tap`): NDJSON, chunked, one record per event leaving the
 * component, until the client goes away, `limit` records were sent, or the server stops. Behind a bearer token always:
 * events carry what senders wrote. The reader's pace never reaches the pipeline: the stream writes what the tap's
 * bounded queue holds and, while the socket does not take more, the tap drops and counts.
 */
export const tapRoute: FastifyPluginAsync<TapRouteOptions> = async (app, options) => {
  const authorized = tokenCheck(options.token);
  const maxTaps = options.maxTaps ?? 8;
  const open = new Set<() => void>();
  // Streams end before the server waits for its requests to finish, or a stop would wait for every tap's reader.
  app.addHook('preClose', async () => {
    for (const end of [...open]) end();
  });

  app.get<{ Querystring: TapQuery }>('/tap', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    if (!authorized(request.headers.authorization))
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer realm="fortiems tap"')
        .send({ error: 'unauthorized', message: 'send Authorization: Bearer <http.tap_token, or the one in <data_dir>/tap-token>' });
    const query = request.query;
    const componentId = query.component || PARSE_COMPONENT;
    const components = options.components();
    const kind = components.get(componentId);
    if (!kind)
      return reply
        .code(404)
        .send({ error: 'unknown_component', message: `no component '${componentId}'`, components: [...components.keys()] });
    let limit = Number.POSITIVE_INFINITY;
    if (query.limit !== undefined) {
      limit = Number(query.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
        return reply.code(400).send({ error: 'bad_limit', message: `limit is a whole number from 1 to ${MAX_LIMIT}` });
    }
    if (options.hub.subscribers >= maxTaps)
      return reply.code(429).send({ error: 'too_many_taps', message: `${maxTaps} taps are open; close one first` });
    let subscription: ReturnType<TapHub['subscribe']>;
    try {
      subscription = options.hub.subscribe(componentId, kind, { filter: query.filter });
    } catch (error) {
      return reply.code(400).send({ error: 'bad_filter', message: (error as Error).message });
    }

    reply.hijack();
    const response = reply.raw;
    response.writeHead(200, {
      'content-type': 'application/x-ndjson; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    // Headers now, not with the first event: a tap on a quiet component is still an answered request.
    response.flushHeaders();
    let ended = false;
    let wakeWriter: (() => void) | undefined;
    const end = () => {
      if (ended) return;
      ended = true;
      open.delete(end);
      subscription.close();
      wakeWriter?.();
      if (!response.writableEnded) response.end();
    };
    open.add(end);
    response.once('close', end);
    request.raw.once('close', () => {
      if (request.raw.destroyed) end();
    });

    let sent = 0;
    while (!ended) {
      await subscription.ready();
      if (ended || subscription.isClosed) break;
      const records = subscription.take();
      const take = Math.min(records.length, limit - sent);
      sent += take;
      const chunk = `${(take === records.length ? records : records.slice(0, take)).join('\n')}\n`;
      if (sent >= limit) {
        response.end(chunk);
        break;
      }
      // A socket that takes no more (a paused or slow reader): wait for it, while the tap's queue fills and drops.
      if (!response.write(chunk))
        await new Promise<void>((resolve) => {
          wakeWriter = resolve;
          response.once('drain', resolve);
        });
      wakeWriter = undefined;
    }
    end();
  });
};
