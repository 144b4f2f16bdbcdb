// First start with AUTH=local: the admin named by ADMIN_USERNAME / ADMIN_PASSWORD is created if missing.
import type { Db } from '../db';
import type { Env } from '../env';
import { hashPassword } from './password';

export async function ensureAdmin(db: Db, env: Env, log: (m: string) => void): Promise<void> {
  if (!env.ADMIN_USERNAME || !env.ADMIN_PASSWORD) return;
  const username = env.ADMIN_USERNAME.toLowerCase();
  if (await db.user.findUnique({ where: { username } })) return;
  await db.user.create({ data: { username, passwordHash: await hashPassword(env.ADMIN_PASSWORD), isAdmin: true } });
  log(`created admin account ${username}`);
}
