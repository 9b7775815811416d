import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's chromium (scripts/lib installs it); never a downloaded browser. */
export const CHROMIUM = '/usr/bin/chromium';

/** `extraArgs`: e.g. the fake microphone and camera for the browser phone's test. */
export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: bash scripts/test.sh installs Debian's chromium package`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--autoplay-policy=no-user-gesture-required',
      ...extraArgs,
    ],
  });
}

/** A fresh context (its own cookie jar) at 1366×768, English unless asked. */
export async function newPage(
  browser: Browser,
  o: { locale?: string; phone?: boolean; timezoneId?: string } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: o.phone ? { width: 390, height: 844 } : { width: 1366, height: 768 },
    locale: o.locale ?? 'en-US',
    timezoneId: o.timezoneId ?? 'UTC',
    acceptDownloads: true,
    ...(o.phone ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  // A CSP violation is a console error: the test fails on any.
  page.on('console', (m) => m.type() === 'error' && !/401|403|422/.test(m.text()) && errors.push(m.text()));
  (page as Page & { errors: string[] }).errors = errors;
  return { context, page };
}

export const pageErrors = (page: Page): string[] => (page as Page & { errors?: string[] }).errors ?? [];

/** Signs in through the form, as a person would. */
export async function signIn(page: Page, baseUrl: string, key: string): Promise<void> {
  await page.goto(`${baseUrl}/console/`);
  await page.getByLabel(/API key|API 密钥/).fill(key);
  await page.getByRole('button', { name: /Sign in|登录/ }).click();
  await page.getByRole('button', { name: /Sign out|退出/ }).waitFor();
}
