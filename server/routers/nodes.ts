// nodes.*: the node catalog the editor builds its palette, handles and widgets from.
import { z } from 'zod';
import { getCatalog } from '../../nodes/registry';
import { createRouter, publicProcedure } from '../trpc';

export const nodesRouter = createRouter({
  catalog: publicProcedure.input(z.void()).query(() => getCatalog()),
});
