import { type ComponentRegistry, type RunningSource, type SourceContext, sourceFactory } from '../components/contract.js';
import type { SourceConfig } from '../config/types.js';

export type { RunningSource, SourceContext };

/** Starts a source that has its own listener (its factory's `kind` is `listener`); `undefined` for an HTTP route. */
export async function startListenerSource(
  registry: ComponentRegistry,
  id: string,
  config: SourceConfig,
  context: SourceContext,
): Promise<RunningSource | undefined> {
  const factory = sourceFactory(registry, config.type);
  return factory.kind === 'listener' ? factory.start(id, config, context) : undefined;
}
