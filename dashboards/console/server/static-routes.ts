import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';

export interface StaticRoutesOptions {
  webRoot: string;
  vendorRoot: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

// Only plain names below the web root, folders allowed: no dot but the extension's, so no `..` and no hidden file.
const ASSET_PATH = /^(?:[a-z0-9-]+\/)*[a-z0-9-]+\.(?:js|css)$/i;

const NOT_FOUND = { error: 'not found', message: 'no such console file' } as const;
const NOT_BUILT = { error: 'not built', message: 'the console web files are missing: run npm run build' } as const;

async function contentOf(file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file);
  } catch {
    return undefined;
  }
}

async function sendFile(reply: FastifyReply, file: string, missing: object = NOT_FOUND): Promise<FastifyReply> {
  const content = await contentOf(file);
  if (content === undefined) return reply.code(missing === NOT_BUILT ? 503 : 404).send(missing);
  // Revalidated every time: a rebuilt console is picked up at once, and these files are small.
  return reply
    .header('content-type', CONTENT_TYPES[extname(file)] ?? 'application/octet-stream')
    .header('cache-control', 'no-cache')
    .send(content);
}

/**
 * The web part: the login page (open), the console page (session), its modules and styles (session, but for the
 * login page's own script and the stylesheet) and uPlot from node_modules. Files are read per request: no stale copy.
 */
export const staticRoutes: FastifyPluginAsync<StaticRoutesOptions> = async (app, { webRoot, vendorRoot }) => {
  const webFile = (name: string) => join(webRoot, name);

  app.get('/', { config: { page: true } }, async (_request, reply) => sendFile(reply, webFile('index.html'), NOT_BUILT));
  app.get('/login', { config: { public: true } }, async (request, reply) =>
    request.consoleSession ? reply.redirect('/console/', 302) : sendFile(reply, webFile('login.html'), NOT_BUILT),
  );
  app.get('/assets/login.js', { config: { public: true } }, async (_request, reply) => sendFile(reply, webFile('login.js')));
  app.get('/assets/console.css', { config: { public: true } }, async (_request, reply) => sendFile(reply, webFile('console.css')));
  app.get('/assets/favicon.svg', { config: { public: true } }, async (_request, reply) => sendFile(reply, webFile('favicon.svg')));
  app.get('/assets/vendor/uPlot.esm.js', async (_request, reply) => sendFile(reply, join(vendorRoot, 'uPlot.esm.js')));
  app.get('/assets/vendor/uPlot.min.css', async (_request, reply) => sendFile(reply, join(vendorRoot, 'uPlot.min.css')));
  app.get<{ Params: { '*': string } }>('/assets/*', async (request, reply) => {
    const path = request.params['*'];
    if (!ASSET_PATH.test(path)) return reply.code(404).send(NOT_FOUND);
    return sendFile(reply, webFile(path));
  });
};
