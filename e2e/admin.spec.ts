// An admin manages accounts on the AUTH=local server: creates one on the Admin page, the new person signs in,
// a new password from the admin signs them out at once, and deleting the account moves their workflow to the admin.
import { expect, test, type Browser, type Page } from '@playwright/test';
import { colourGraph, trpcMutation, trpcQuery } from './api';
import { useLocalAuthServer } from './local-auth-server';

const server = useLocalAuthServer();

async function signIn(browser: Browser, username: string, password: string): Promise<Page> {
  const page = await (await browser.newContext({ baseURL: server.url, viewport: { width: 1440, height: 900 } })).newPage();
  await page.goto('/login');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).first().click();
  await expect(page.getByTestId('signed-in-user')).toHaveText(username);
  return page;
}

test('admin creates an account, resets its password, deletes it without losing its workflow', async ({ browser }) => {
  const admin = await signIn(browser, 'admin', 'e2e-admin-password');
  await admin.getByRole('link', { name: 'Admin' }).click();
  await expect(admin).toHaveURL(/\/admin$/);
  const form = admin.getByTestId('admin-create');
  await form.getByLabel('Username').fill('dora');
  await form.getByLabel('Password').fill('dora-first-pass');
  await form.getByRole('button', { name: 'Create account' }).click();
  const row = admin.locator('[data-testid="admin-user-row"][data-username="dora"]');
  await expect(row).toContainText('user');

  const dora = await signIn(browser, 'dora', 'dora-first-pass');
  const { id } = await trpcMutation<{ id: string }>(dora.request, 'workflows.create', { name: 'Dora colours', graph: colourGraph() });
  await admin.reload();
  await expect(row.locator('td').nth(2)).toHaveText('1'); // one workflow
  await expect(row).toContainText('1 browser(s)');

  // A new password ends Dora's sessions: her next page load is signed out.
  await row.getByRole('button', { name: 'New password' }).click();
  await admin.getByLabel(/New password for/).fill('dora-second-pass');
  await admin.getByRole('button', { name: 'Set password' }).click();
  await expect(admin.getByTestId('toast').last()).toContainText('1 session(s) ended');
  await dora.reload();
  await expect(dora.getByTestId('account-menu').getByRole('link', { name: 'Sign in' })).toBeVisible();

  // Delete: the workflow lands in the admin's library.
  await row.getByRole('button', { name: 'Delete' }).click();
  await admin.getByRole('button', { name: 'Delete account' }).click();
  await expect(admin.getByTestId('toast').last()).toContainText('1 workflow(s) moved to your library');
  await expect(row).toHaveCount(0);
  expect(await trpcQuery<{ ownerName: string; canEdit: boolean }>(admin.request, 'workflows.get', { id }))
    .toMatchObject({ ownerName: 'admin', canEdit: true });

  await admin.context().close();
  await dora.context().close();
});
