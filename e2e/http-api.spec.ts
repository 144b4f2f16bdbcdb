// The HTTP API as its user meets it (AUTH=local): expose the prompt and seed of a workflow in the editor's
// API tab and save; create a personal token under Settings; a script (no browser cookies) POSTs the inputs
// with the token, polls the run and downloads an image that shows the prompt; a revoked token is refused;
// the password changes from the same Settings page.
import { expect, request as playwrightRequest, test } from '@playwright/test';
import sharp from 'sharp';
import { templateGraph, trpcMutation, trpcQuery } from './api';
import { useLocalAuthServer } from './local-auth-server';
import { signedUpPerson } from './people';
import { HAND_PROMPT, TXT2IMG_TEMPLATE } from './scenario';

const server = useLocalAuthServer();

interface RunStatus {
  status: string;
  error: { message: string } | null;
  outputs: { url: string; mime: string; width: number; height: number }[];
}

test('expose inputs, create a token, run by HTTP, revoke the token', async ({ browser }) => {
  test.setTimeout(180_000);
  const carol = await signedUpPerson(browser, server.url, 'carol');
  const { id } = await trpcMutation<{ id: string }>(carol.request, 'workflows.create', { name: 'Poster API', graph: templateGraph(TXT2IMG_TEMPLATE) });

  // Expose positive.text as "prompt" and sampler.seed as "seed", then save them as a version.
  await carol.goto(`/w/${id}`);
  await carol.getByRole('tab', { name: 'API' }).click();
  const expose = async (node: string, param: string, name: string) => {
    await carol.getByTestId('api-expose-node').selectOption(node);
    await carol.getByTestId('api-expose-param').selectOption(param);
    await carol.getByTestId('api-expose-name').fill(name);
    await carol.getByTestId('api-expose-submit').click();
    await expect(carol.locator(`[data-testid="api-input-row"][data-name="${name}"]`)).toBeVisible();
  };
  await expose('positive', 'text', 'prompt');
  await expose('sampler', 'seed', 'seed');
  await expect(carol.getByTestId('unsaved-dot')).toBeVisible();
  await carol.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(carol.getByTestId('unsaved-dot')).toHaveCount(0);

  // A personal token, shown once.
  await carol.goto('/settings');
  await carol.getByTestId('token-name').fill('poster script');
  await carol.getByTestId('token-create').click();
  const token = await carol.getByTestId('token-value').inputValue();
  expect(token).toMatch(/^sf_[A-Za-z0-9_-]{43}$/);
  await carol.getByTestId('token-done').click();
  await expect(carol.getByTestId('token-row')).toHaveCount(1);

  // A script: no cookies, only the token.
  const script = await playwrightRequest.newContext({ baseURL: server.url });
  const auth = { Authorization: `Bearer ${token}` };
  const inputs = await script.get(`/api/workflows/${id}/inputs`, { headers: auth });
  expect((await inputs.json()).inputs.map((i: { name: string; node: string; param: string }) => `${i.name}=${i.node}.${i.param}`))
    .toEqual(['prompt=positive.text', 'seed=sampler.seed']);

  expect((await script.post(`/api/workflows/${id}/runs`, { data: { prompt: HAND_PROMPT.text } })).status()).toBe(401);
  const unknown = await script.post(`/api/workflows/${id}/runs`, { headers: auth, data: { promt: 'typo' } });
  expect(unknown.status()).toBe(400);
  expect(JSON.stringify(await unknown.json())).toContain('promt');

  const started = await script.post(`/api/workflows/${id}/runs`, { headers: auth, data: { prompt: HAND_PROMPT.text, seed: 12345 } });
  expect(started.status()).toBe(202);
  const { runId, statusUrl } = await started.json() as { runId: string; statusUrl: string };
  let run: RunStatus | undefined;
  await expect.poll(async () => {
    run = await (await script.get(statusUrl, { headers: auth })).json() as RunStatus;
    return run.status;
  }, { timeout: 60_000 }).toMatch(/succeeded|failed|cancelled/);
  expect(run!.status, run!.error?.message).toBe('succeeded');
  const png = run!.outputs.find((o) => o.mime === 'image/png')!;
  const image = await script.get(png.url, { headers: auth });
  expect(image.status()).toBe(200);
  // The prompted sprite: the centre is the shape colour, the corners the background colour (lossless PNG).
  const { data, info } = await sharp(await image.body()).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const at = (x: number, y: number) => [...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3)];
  expect(at(info.width >> 1, info.height >> 1)).toEqual([...HAND_PROMPT.shape]);
  expect(at(2, 2)).toEqual([...HAND_PROMPT.background]);
  // The run is Carol's: her browser session sees it too, with the seed the script sent.
  const mine = await trpcQuery<{ graph: { nodes: { id: string; params: Record<string, unknown> }[] } }>(carol.request, 'runs.get', { runId });
  expect(mine.graph.nodes.find((n) => n.id === 'sampler')!.params.seed).toBe(12345);

  // Revoked: the script is refused at once.
  await carol.getByTestId('token-revoke').click();
  await carol.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
  await expect(carol.getByTestId('token-row')).toHaveCount(0);
  expect((await script.post(`/api/workflows/${id}/runs`, { headers: auth, data: { prompt: 'again' } })).status()).toBe(401);

  // Settings also changes the password: the old one stops working, the new one signs in.
  await carol.getByLabel('Current password').fill('carol-password-1');
  await carol.getByLabel('New password', { exact: true }).fill('carol-new-password-2');
  await carol.getByLabel('Repeat new password').fill('carol-new-password-2');
  await carol.getByRole('button', { name: 'Change password' }).click();
  await expect(carol.getByTestId('toast').last()).toContainText('Password changed');
  const signIn = (password: string) => script.post('/api/trpc/auth.signIn', { data: { json: { username: 'carol', password } } });
  expect((await signIn('carol-password-1')).status()).toBe(401);
  expect((await signIn('carol-new-password-2')).status()).toBe(200);

  await script.dispose();
  await carol.context().close();
});
