// The root tRPC router. The browser imports only `type AppRouter` from here.
import { createCallerFactory, createRouter } from '../trpc';
import { adminRouter } from './admin';
import { authRouter } from './auth';
import { galleryRouter } from './gallery';
import { inputsRouter } from './inputs';
import { modelsRouter } from './models';
import { monitorRouter } from './monitor';
import { nodesRouter } from './nodes';
import { runsRouter } from './runs';
import { subgraphsRouter } from './subgraphs';
import { tokensRouter } from './tokens';
import { workflowsRouter } from './workflows';

export const appRouter = createRouter({
  auth: authRouter,
  admin: adminRouter,
  nodes: nodesRouter,
  models: modelsRouter,
  workflows: workflowsRouter,
  subgraphs: subgraphsRouter,
  runs: runsRouter,
  gallery: galleryRouter,
  inputs: inputsRouter,
  tokens: tokensRouter,
  monitor: monitorRouter,
});

export type AppRouter = typeof appRouter;

/** Server-side calls without HTTP (tests, scripts). */
export const createCaller = createCallerFactory(appRouter);
