// A person on the AUTH=local server: their own browser context, signed up through the login page.
import { expect, type Browser, type Page } from '@playwright/test';

export async function signedUpPerson(browser: Browser, baseURL: string, username: string): Promise<Page> {
  const context = await browser.newContext({ baseURL, viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  await page.goto('/login');
  await page.getByRole('button', { name: 'Create account' }).first().click();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(`${username}-password-1`);
  await page.getByLabel('Confirm password').fill(`${username}-password-1`);
  await page.getByRole('button', { name: 'Create account' }).last().click();
  await expect(page.getByTestId('signed-in-user')).toHaveText(username);
  return page;
}
