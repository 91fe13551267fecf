export type { ConsolePluginOptions, EmsApiConnection, OpenSearchConnection } from './options.js';
export { CONSOLE_PREFIX, consolePlugin } from './plugin.js';
