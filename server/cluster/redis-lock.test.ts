// RedisKeyLock on the machine's real Redis, as two web servers would hold it (two connections): tasks on one key never
// overlap, other keys go on in parallel, a holder that dies (never releases) blocks others only until its lock
// expires, and a lock cannot be released by anyone but its holder.
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_REDIS, testRedis } from '../testing/cluster';
import { LockTimeoutError, RedisKeyLock } from './redis-lock';

const space = testRedis();
const conns = [new Redis(TEST_REDIS), new Redis(TEST_REDIS)];
afterAll(async () => {
  await space.drop();
  for (const c of conns) c.disconnect();
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('RedisKeyLock', () => {
  it('runs one task per key at a time across connections, other keys in parallel', async () => {
    const [a, b] = conns.map((c) => new RedisKeyLock(c, space.prefix));
    let inside = 0;
    let most = 0;
    const log: string[] = [];
    const task = (who: string) => async () => {
      inside++;
      most = Math.max(most, inside);
      log.push(`${who}+`);
      await sleep(30);
      log.push(`${who}-`);
      inside--;
      return who;
    };
    const results = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => (i % 2 ? a : b).run('user-1', task(`t${i}`))));
    expect(results).toEqual(['t1', 't2', 't3', 't4', 't5', 't6']);
    expect(most).toBe(1);
    // Strictly alternating enter/leave: no task started while another was inside.
    expect(log.filter((_, i) => i % 2 === 0).every((e) => e.endsWith('+'))).toBe(true);

    // Different keys: each task waits until the other is inside too, which only parallel holders can do.
    const entered = new Set<string>();
    const meet = (who: string, other: string) => async () => {
      entered.add(who);
      for (let i = 0; i < 100 && !entered.has(other); i++) await sleep(10);
      return entered.has(other);
    };
    expect(await Promise.all([a.run('user-2', meet('x', 'y')), b.run('user-3', meet('y', 'x'))])).toEqual([true, true]);
  });

  it('frees a key whose holder died once its hold expires, and never takes or frees a lock someone holds', async () => {
    const key = `${space.prefix}:lock:user-9`;
    // A server that took the lock and died: the key stays until its expiry (400 ms here).
    await conns[0].set(key, 'dead-server', 'PX', 400);
    const patient = new RedisKeyLock(conns[1], space.prefix, 15_000, 5_000);
    // It runs only once the dead holder's key is gone (the key is then its own token).
    expect(await patient.run('user-9', async () => conns[0].get(key))).toMatch(/^[0-9a-f]{24}$/);
    expect(await conns[0].get(key)).toBeNull();

    await conns[0].set(key, 'someone-else', 'PX', 10_000);
    const impatient = new RedisKeyLock(conns[1], space.prefix, 15_000, 200);
    await expect(impatient.run('user-9', async () => 'never')).rejects.toBeInstanceOf(LockTimeoutError);
    expect(await conns[0].get(key)).toBe('someone-else');
  });
});
