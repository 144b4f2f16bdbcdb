// Monitoring for operators (admins; AUTH=none's one user): the numbers of the /monitor page, for scripts too.
import { z } from 'zod';
import { monitorSummary, MONITOR_WINDOWS, type MonitorWindow } from '../monitor/summary';
import { createRouter, operatorProcedure } from '../trpc';

export const monitorRouter = createRouter({
  summary: operatorProcedure
    .input(z.object({ window: z.enum(Object.keys(MONITOR_WINDOWS) as [MonitorWindow, ...MonitorWindow[]]).default('24h') }))
    .query(({ ctx, input }) => monitorSummary(ctx.db, input.window, ctx.workers, new Date(), { previews: () => ctx.metrics.previewTotals() })),
});
