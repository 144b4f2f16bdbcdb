// What the debugger specs share: the node's right-click menu, and a clean-up that cancels the run a page shows.
import { expect, test, type Page } from '@playwright/test';
import { trpcMutation } from './api';
import { graphNode } from './canvas';

/** Right-clicks the node's header and picks `item` from its menu. */
export async function nodeMenu(page: Page, nodeId: string, item: string): Promise<void> {
  await graphNode(page, nodeId).locator('.graph-node-header').click({ button: 'right' });
  await page.getByTestId('node-menu').getByRole('menuitem', { name: item, exact: true }).click();
  await expect(page.getByTestId('node-menu')).toHaveCount(0);
}

/** After each test: a failed step must not leave a paused run holding the only worker for DEBUG_PAUSE_TIMEOUT. */
export function cancelShownRunAfterEach(): void {
  test.afterEach(async ({ page, request }) => {
    const runId = await page.getByTestId('run-status').getAttribute('data-run-id', { timeout: 1000 }).catch(() => null);
    if (runId) await trpcMutation(request, 'runs.cancel', { runId, reason: 'spec cleanup' }).catch(() => undefined);
  });
}
