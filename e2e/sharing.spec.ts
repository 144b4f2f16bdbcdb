// Two people on a server with accounts (AUTH=local), each in their own browser context: Alice shares a
// workflow by link; Bob opens the link, cannot save it, forks it, edits and runs his fork; Alice revokes
// the link and Bob's next visit is refused (his fork stays his).
import { expect, test } from '@playwright/test';
import { templateGraph, trpcMutation, trpcQuery } from './api';
import { graphNode } from './canvas';
import { useLocalAuthServer } from './local-auth-server';
import { signedUpPerson } from './people';
import { twoColourStats } from './pixels';
import { HAND_PROMPT, TXT2IMG_TEMPLATE } from './scenario';

const server = useLocalAuthServer();

test('share by link, open, fork, edit, run, revoke', async ({ browser }) => {
  test.setTimeout(180_000);
  const alice = await signedUpPerson(browser, server.url, 'alice');
  const bob = await signedUpPerson(browser, server.url, 'bob');

  // Alice's workflow (made through her session: it is hers), shared from the editor's Share dialog.
  const original = templateGraph(TXT2IMG_TEMPLATE);
  const { id } = await trpcMutation<{ id: string }>(alice.request, 'workflows.create', { name: 'Alice sprites', graph: original });
  await alice.goto(`/w/${id}`);
  await alice.getByTestId('share-button').click();
  await alice.getByLabel('Anyone with the link').check();
  const link = await alice.getByTestId('share-link').inputValue();
  expect(link).toMatch(new RegExp(`/w/${id}\\?share=[A-Za-z0-9_-]{22,}$`));
  await alice.getByRole('button', { name: 'Done' }).click();
  await expect(alice.getByTestId('share-button')).toHaveText(/link/);

  // Bob opens the link: he sees it, but there is no Save, Ctrl+S explains why, and the server refuses a save.
  await bob.goto(link);
  await expect(bob.getByTestId('view-only-banner')).toContainText('Shared by alice');
  await expect(bob.getByTestId('graph-node')).toHaveCount(original.nodes.length);
  await expect(bob.getByRole('button', { name: 'Save', exact: true })).toHaveCount(0);
  await graphNode(bob, 'positive').getByTestId('param-text').fill('yellow star on purple background');
  await bob.keyboard.press('Control+s');
  await expect(bob.getByTestId('toast').last()).toContainText('Only the owner can save');
  // Saving takes no share token: to the server Bob cannot even see Alice's workflow when he tries.
  const refused = await bob.request.post('/api/trpc/workflows.save', { data: { json: { id, graph: original } } });
  expect(refused.status()).toBe(404);
  expect((await trpcQuery<{ currentVersion: number }>(alice.request, 'workflows.get', { id })).currentVersion).toBe(1);

  // Fork: Bob's own copy, its provenance shown, his canvas change carried over as the fork's version 2.
  await bob.getByRole('button', { name: 'Fork to my library' }).click();
  await expect(bob).toHaveURL(/\/w\/[^/?]+$/);
  const forkId = new URL(bob.url()).pathname.split('/').pop()!;
  expect(forkId).not.toBe(id);
  await expect(bob.getByTestId('view-only-banner')).toHaveCount(0);
  await bob.getByRole('tab', { name: 'About' }).click();
  await expect(bob.getByTestId('forked-from')).toHaveText('Alice sprites @ version 1');
  await expect(graphNode(bob, 'positive').getByTestId('param-text')).toHaveValue('yellow star on purple background');

  // Bob edits the fork, saves it and runs it.
  await graphNode(bob, 'positive').getByTestId('param-text').fill(HAND_PROMPT.text);
  await bob.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(bob.getByTestId('unsaved-dot')).toHaveCount(0);
  await bob.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(bob.getByTestId('run-status')).toHaveText(/succeeded|failed|cancelled/, { timeout: 60_000 });
  expect(await bob.getByTestId('run-status').textContent(), (await bob.getByTestId('run-error').allTextContents()).join(' ')).toBe('succeeded');
  const out = await bob.getByTestId('output-image').first().getAttribute('src');
  const stats = await twoColourStats(bob, out!, HAND_PROMPT.shape, HAND_PROMPT.background);
  expect(stats.shapePixels).toBeGreaterThan(1000);
  expect(stats.otherPixels).toBe(0);
  const fork = await trpcQuery<{ currentVersion: number; ownerName: string; forkedFromId: string }>(bob.request, 'workflows.get', { id: forkId });
  expect(fork).toMatchObject({ currentVersion: 3, ownerName: 'bob', forkedFromId: id });
  // Alice's workflow did not change, and Bob's run is not hers to see.
  expect((await trpcQuery<{ currentVersion: number }>(alice.request, 'workflows.get', { id })).currentVersion).toBe(1);

  // Bob's library remembers the link he opened (Shared with link), and his fork is under Mine.
  await bob.goto('/?tab=shared');
  const sharedCard = bob.locator(`[data-testid="workflow-card"][data-workflow-id="${id}"]`);
  await expect(sharedCard.getByTestId('workflow-owner')).toHaveText('by alice');
  await bob.goto('/?tab=mine');
  await expect(bob.locator(`[data-testid="workflow-card"][data-workflow-id="${forkId}"]`)).toBeVisible();
  await expect(bob.locator(`[data-testid="workflow-card"][data-workflow-id="${id}"]`)).toHaveCount(0);

  // Alice revokes the link; Bob's next visit is refused, his fork stays.
  await alice.getByTestId('share-button').click();
  await alice.getByRole('button', { name: 'Revoke link' }).click();
  await expect(alice.getByTestId('share-link')).toHaveCount(0);
  await expect(alice.getByLabel('Private')).toBeChecked();
  await alice.getByRole('button', { name: 'Done' }).click();

  await bob.goto(link);
  await expect(bob.getByTestId('editor-error')).toContainText('Could not open the workflow');
  await expect(bob.getByTestId('graph-node')).toHaveCount(0);
  await bob.goto('/?tab=shared');
  await expect(bob.getByTestId('library-empty')).toBeVisible();
  await bob.goto(`/w/${forkId}`);
  await expect(bob.getByTestId('graph-node')).toHaveCount(original.nodes.length);

  await alice.context().close();
  await bob.context().close();
});
