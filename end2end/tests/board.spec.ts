// The allocation board in real browsers (SPEC R6.1, R6.3, R6.4; issue 14):
// two of Northstar's agents race for one unit their agency holds — one
// wins, the other sees the stock conflict modal naming the winner, and
// refreshing shows who has it, and a third board follows live; the winner
// releases it. A manager overrides a reservation from the modal with a
// reason. The filters live in the URL and work with JavaScript off.
//
// The demo: Northstar (Acme's agency partner on Marina Heights) has
// accepted the data-processing terms; Rami recorded Nadia Farouk, Sara
// Tom Becker; Northstar holds A-101 … A-204 in the closed pool.
import { Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { test, expect, hydrated } from './fixtures';
import { signIn } from './auth-helpers';
import { siteUrl } from './urls';

const board = siteUrl('northstar', '/with/acme/marina-heights/units');

async function onBoard(page: Page, email: string) {
  await signIn(page, 'northstar', email);
  await page.waitForURL(siteUrl('northstar', '/'));
  await page.goto(board);
  await hydrated(page);
}

/** What a click on Reserve came to: the confirmation or the modal. */
async function outcome(page: Page, code: string): Promise<'won' | 'conflict'> {
  const won = page.getByText(`Unit ${code} reserved.`);
  const modal = page.getByRole('dialog', { name: 'Someone else has this unit' });
  await expect(won.or(modal)).toBeVisible();
  return (await modal.isVisible()) ? 'conflict' : 'won';
}

test('two browsers race for one unit: one wins, the other is told who has it', async ({ browser }) => {
  const code = 'A-102';
  const people = [
    { email: 'rami@northstar.example', name: 'Rami Aziz', buyer: 'Nadia Farouk' },
    { email: 'sara@northstar.example', name: 'Sara Khan', buyer: 'Tom Becker' },
  ];
  const contexts = await Promise.all(people.map(() => browser.newContext()));
  const pages = await Promise.all(contexts.map((c) => c.newPage()));
  await Promise.all(pages.map((p, i) => onBoard(p, people[i].email)));
  // A third board, only watching: it follows the race without a reload.
  const watching = await browser.newContext();
  const priya = await watching.newPage();
  await onBoard(priya, 'priya@northstar.example');
  await expect(priya.locator('.board__live')).toBeVisible();
  await expect(priya.locator('.board__live')).toHaveText('Live');
  const before = await priya.evaluate(() => performance.getEntriesByType('navigation').length);
  for (const [i, page] of pages.entries()) {
    const row = page.locator(`tr[data-unit="${code}"]`);
    await expect(row).toHaveAttribute('data-status', 'available');
    await row.getByLabel(`Buyer for ${code}`).selectOption({ label: people[i].buyer });
  }
  // Both click at once, from the same version of the unit.
  await Promise.all(
    pages.map((p) => p.locator(`tr[data-unit="${code}"]`).getByRole('button', { name: 'Reserve' }).click()),
  );
  const outcomes = await Promise.all(pages.map((p) => outcome(p, code)));
  expect([...outcomes].sort()).toEqual(['conflict', 'won']);
  const w = outcomes.indexOf('won');
  const [winner, loser] = [pages[w], pages[1 - w]];

  const modal = loser.getByRole('dialog', { name: 'Someone else has this unit' });
  await expect(modal).toContainText(`${people[w].name} has held this unit since`);
  await expect(modal).toBeFocused();
  const axe = await new AxeBuilder({ page: loser }).include('.modal').analyze();
  expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
  await modal.getByRole('button', { name: 'Refresh' }).click();
  await expect(modal).toBeHidden();
  const row = loser.locator(`tr[data-unit="${code}"]`);
  await expect(row).toHaveAttribute('data-status', 'reserved');
  await expect(row).toContainText(`Reserved by ${people[w].name}`);
  await expect(row.getByRole('button', { name: 'Reserve' })).toHaveCount(0);
  // R6.4: the watching board shows the winner within a second, unreloaded.
  const watched = priya.locator(`tr[data-unit="${code}"]`);
  await expect(watched).toHaveAttribute('data-status', 'reserved', { timeout: 1_000 });
  await expect(watched).toContainText(`Reserved by ${people[w].name}`);
  expect(await priya.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(before);
  await expect(priya.getByText('Loading…')).toHaveCount(0);
  await watching.close();

  // The winner releases it; the unit is available again.
  await winner.locator(`tr[data-unit="${code}"]`).getByRole('button', { name: 'Release' }).click();
  await expect(winner.getByText(`Unit ${code} is available again.`)).toBeVisible();
  await expect(winner.locator(`tr[data-unit="${code}"]`)).toHaveAttribute('data-status', 'available');
  await Promise.all(contexts.map((c) => c.close()));
});

test('the filters live in the URL and work with JavaScript off', async ({ browser }) => {
  // Signed in with script, then the same session with it off.
  const signingIn = await browser.newContext();
  const first = await signingIn.newPage();
  await signIn(first, 'northstar', 'priya@northstar.example');
  await first.waitForURL(siteUrl('northstar', '/'));
  const storageState = await signingIn.storageState();
  await signingIn.close();
  const context = await browser.newContext({ javaScriptEnabled: false, storageState });
  const page = await context.newPage();
  await page.goto(board);
  await page.getByLabel('Floor').fill('2');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/[?&]floor=2(&|$)/);
  const codes = await page.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-unit')));
  expect(codes.length).toBeGreaterThan(0);
  expect(codes.every((c) => c!.startsWith('A-2'))).toBe(true);
  await expect(page.getByLabel('Floor')).toHaveValue('2');
  await expect(page.getByText(/\d+ of \d+ units/)).toBeVisible();
  await page.getByRole('link', { name: 'Clear' }).click();
  await expect(page.getByText(/^\d+ units$/)).toBeVisible();
  await context.close();
});

test("a manager overrides an agent's reservation from the conflict modal, saying why", async ({ browser }) => {
  const code = 'A-104';
  const contexts = await Promise.all([0, 1].map(() => browser.newContext()));
  const [rami, priya] = await Promise.all(contexts.map((c) => c.newPage()));
  // Priya's board does not hear Rami's change (as if it were still on its
  // way), so she acts on what she saw.
  await priya.route('**/live/board**', (route) => route.abort());
  await Promise.all([onBoard(rami, 'rami@northstar.example'), onBoard(priya, 'priya@northstar.example')]);
  // Rami reserves while Priya's board still shows the unit available.
  const ramiRow = rami.locator(`tr[data-unit="${code}"]`);
  await ramiRow.getByLabel(`Buyer for ${code}`).selectOption({ label: 'Nadia Farouk' });
  await ramiRow.getByRole('button', { name: 'Reserve' }).click();
  await expect(rami.getByText(`Unit ${code} reserved.`)).toBeVisible();

  const row = priya.locator(`tr[data-unit="${code}"]`);
  await row.getByLabel(`Buyer for ${code}`).selectOption({ label: 'Tom Becker' });
  await row.getByRole('button', { name: 'Reserve' }).click();
  const modal = priya.getByRole('dialog', { name: 'Someone else has this unit' });
  await expect(modal).toContainText('Rami Aziz has held this unit since');
  await modal.getByText('Override the reservation').click();
  // No reason: said beside the field, the modal stays.
  await modal.getByRole('button', { name: 'Override' }).click();
  await expect(modal.getByText('Enter a reason.')).toBeVisible();
  const axe = await new AxeBuilder({ page: priya }).include('.modal').analyze();
  expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
  await modal.getByLabel('Why you are ending it').fill('Nadia chose a unit on another floor');
  await modal.getByRole('button', { name: 'Override' }).click();
  await expect(modal).toBeHidden();
  await expect(priya.getByText(`Unit ${code} is available again; your reason is in the activity log.`)).toBeVisible();
  await expect(row).toHaveAttribute('data-status', 'available');
  await Promise.all(contexts.map((c) => c.close()));
});
