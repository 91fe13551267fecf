import type { FastifyPluginAsync } from 'fastify';
import type { Simulation } from '../simulation/simulation.js';

export interface VolumeRoutesOptions {
  sim: Simulation;
}

/** GET /volume: lines emitted and suppressed per category and level, so an admin sees what each log setting costs. */
export const volumeRoutes: FastifyPluginAsync<VolumeRoutesOptions> = async (app, { sim }) => {
  app.get('/volume', async () => sim.ems.volume);
};
