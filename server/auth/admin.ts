// First start with AUTH=local: the admin named by ADMIN_USERNAME / ADMIN_PASSWORD is created if missing,
// and workflows without an owner (made in single-user mode, or seeded examples) are handed to that admin,
// so switching AUTH=none → local loses nothing: they appear in the admin's library, private.
import type { Db } from '../db';
import type { Env } from '../env';
import { hashPassword } from './password';

/** ADMIN_USERNAME names an account that is not an admin: start-up stops rather than hand it every ownerless workflow. */
export class AdminAccountError extends Error {
  constructor(readonly username: string) {
    super(
      `ADMIN_USERNAME is "${username}", but "${username}" is an existing account without admin rights (someone signed up ` +
        `with that name, or an admin removed its rights). The server will not hand it the ownerless workflows. Set ` +
        `ADMIN_USERNAME to an admin's name or to an unused name (a new admin is then created), or give "${username}" ` +
        'admin rights on the Admin page first.',
    );
    this.name = 'AdminAccountError';
  }
}

export async function ensureAdmin(db: Db, env: Env, log: (m: string) => void): Promise<void> {
  if (!env.ADMIN_USERNAME || !env.ADMIN_PASSWORD) return;
  const username = env.ADMIN_USERNAME.toLowerCase();
  const existing = await db.user.findUnique({ where: { username } });
  if (existing && !existing.isAdmin) throw new AdminAccountError(username);
  if (!existing) {
    await db.user.create({ data: { username, passwordHash: await hashPassword(env.ADMIN_PASSWORD), isAdmin: true } });
    log(`created admin account ${username}`);
  }
  await adoptOwnerless(db, env, log);
}

/** Gives ownerless workflows to the configured admin (only if that account really is an admin). Returns how many moved. */
export async function adoptOwnerless(db: Db, env: Env, log: (m: string) => void): Promise<number> {
  if (env.AUTH !== 'local' || !env.ADMIN_USERNAME) return 0;
  const admin = await db.user.findUnique({ where: { username: env.ADMIN_USERNAME.toLowerCase() } });
  if (!admin) return 0;
  if (!admin.isAdmin) throw new AdminAccountError(admin.username);
  const { count } = await db.workflow.updateMany({ where: { ownerId: null }, data: { ownerId: admin.id } });
  if (count) log(`${count} workflow(s) without an owner now belong to the admin ${admin.username}`);
  // Their uploads go with them: input images are usable only by their uploaders (server/inputs/access.ts).
  const theirs = (await db.upload.findMany({ where: { userId: admin.id }, select: { name: true } })).map((u) => u.name);
  await db.upload.deleteMany({ where: { userId: null, name: { in: theirs } } });
  await db.upload.updateMany({ where: { userId: null }, data: { userId: admin.id } });
  return count;
}
