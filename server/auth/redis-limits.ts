// Scaled mode's attempt limits (auth/rate-limit.ts AUTH_LIMITS) kept in Redis, one sorted set of attempt times per
// (limit, key), so every web server counts the same attempts. One Lua script checks every pair and then counts on
// all of them, atomically: the reserve-before-verify rule holds across servers too. Times are Redis's own clock.
import crypto from 'node:crypto';
import type { Redis } from 'ioredis';
import { AUTH_LIMITS, RateLimitedError, type Attempt, type AuthLimits, type LimitName } from './rate-limit';

const RESERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local member = ARGV[1]
for i = 1, #KEYS do
  local limit = tonumber(ARGV[2 * i])
  local window = tonumber(ARGV[2 * i + 1])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
  if redis.call('ZCARD', KEYS[i]) >= limit then
    local oldest = redis.call('ZRANGE', KEYS[i], 0, 0, 'WITHSCORES')
    return { i, tonumber(oldest[2]) + window - now }
  end
end
for i = 1, #KEYS do
  redis.call('ZADD', KEYS[i], now, member)
  redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[2 * i + 1]))
end
return { 0, 0 }
`;

export function createRedisAuthLimits(redis: Redis, prefix: string): AuthLimits {
  // A key may be a user name: hashed, so no input shapes the Redis key space.
  const keyOf = (name: LimitName, key: string) => `${prefix}:limit:${name}:${crypto.createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
  return {
    async reserve(...pairs) {
      const member = `${Date.now()}-${crypto.randomBytes(6).toString('hex')}`;
      const keys = pairs.map(([name, key]) => keyOf(name, key));
      const args = [member, ...pairs.flatMap(([name]) => [AUTH_LIMITS[name].limit, AUTH_LIMITS[name].windowMs])];
      const [hit, retryMs] = await redis.eval(RESERVE, keys.length, ...keys, ...args) as [number, number];
      if (hit > 0) throw new RateLimitedError(Math.max(1, Math.ceil(retryMs / 1000)), AUTH_LIMITS[pairs[hit - 1][0]].what);
      return keys.map((k): Attempt => ({
        release: () => void redis.zrem(k, member).catch(() => undefined),
      }));
    },
    async reset(name, key) {
      await redis.del(keyOf(name, key));
    },
  };
}
