// Scheduler-library errors (unknown names, a schedule a sampler cannot use) reported as param errors.
import { NodeInputError } from '../engine/errors';
import { SchedulerConfigError, UnknownSchedulerError } from '../sampling/schedulers';

export async function runWithParamErrors<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof SchedulerConfigError) throw new NodeInputError('param_invalid', e.message, e.key === 'schedule' ? 'scheduler' : undefined);
    if (e instanceof UnknownSchedulerError) throw new NodeInputError('param_invalid', e.message, e.kind === 'schedule' ? 'scheduler' : 'sampler');
    throw e;
  }
}
