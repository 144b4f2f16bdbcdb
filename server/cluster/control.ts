// The control channel of scaled mode: a web server publishes cancel and debugger commands (and how many people
// watch a run) on one Redis pub/sub channel; the worker host holding that run applies them, the others ignore them.
// Pub/sub is fire-and-forget: a command published while Redis is down is lost, and the user presses again.
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { breakpointsSchema } from '../worker/protocol-schema';

const controlSchema = z.object({
  runId: z.string().min(1).max(64),
  msg: z.discriminatedUnion('type', [
    z.object({ type: z.literal('cancel'), reason: z.string().max(2000) }),
    z.object({ type: z.literal('debug'), command: z.enum(['pause', 'resume', 'step']) }),
    z.object({ type: z.literal('breakpoints'), breakpoints: breakpointsSchema }),
    z.object({ type: z.literal('preview-listeners'), count: z.number().int().min(0) }),
  ]),
});

export type ControlMessage = z.infer<typeof controlSchema>;

export function publishControl(redis: Redis, channel: string, m: ControlMessage): Promise<number> {
  return redis.publish(channel, JSON.stringify(m));
}

/** Subscribes `sub` (a connection dedicated to subscribing) and calls `on` with every well-formed message. */
export async function subscribeControl(sub: Redis, channel: string, on: (m: ControlMessage) => void, log: (m: string) => void): Promise<void> {
  sub.on('message', (ch: string, raw: string) => {
    if (ch !== channel) return;
    let parsed;
    try {
      parsed = controlSchema.safeParse(JSON.parse(raw));
    } catch {
      parsed = undefined;
    }
    if (!parsed?.success) {
      log(`control channel: ignored a malformed message (${raw.slice(0, 120)})`);
      return;
    }
    on(parsed.data);
  });
  // ioredis re-subscribes by itself after a reconnect.
  await sub.subscribe(channel);
}
