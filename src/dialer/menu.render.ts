import type { Logger } from '../shared/logger.js';
import type { SessionOptions } from './call-session.js';
import { DEFAULT_MENU, menuPrompts, validateMenu, type MenuKeys } from './menu.js';
import type { PromptCustomer, PromptPort } from './ports.js';

export interface RenderedMenu {
  /** For the session: keys, and what an invalid key hears (then the menu). */
  session: NonNullable<SessionOptions['menu']>;
  /** Played right after the prompt: the campaign's own menu is announced, the default one is not (its prompt says it). */
  afterPrompt: string[];
}

/**
 * The menu's audio in the customer's prompt language, before the call (TTS cached by content
 * hash, so rendered once per campaign menu and language). Rendered with the campaign prompt's
 * languages, so the same language is chosen as for the prompt.
 */
export async function renderMenu(
  render: PromptPort,
  campaign: { menu: unknown; prompt: unknown },
  customer: PromptCustomer,
  locale: string,
  log: Logger,
): Promise<RenderedMenu> {
  let keys: MenuKeys = DEFAULT_MENU;
  const own = campaign.menu !== null && campaign.menu !== undefined;
  if (own) {
    try {
      keys = validateMenu(campaign.menu);
    } catch (err) {
      // Validated when saved; a row edited by hand falls back to the default keys.
      log.warn({ err }, 'campaign menu invalid; using the default keys');
    }
  }
  const locales = campaign.prompt && typeof campaign.prompt === 'object' ? Object.keys(campaign.prompt) : [];
  const prompts = menuPrompts(keys, locales.length > 0 ? locales : ['en-US']);
  try {
    const [announcement, notRecognised] = await Promise.all([render(prompts.announcement, customer, locale), render(prompts.notRecognised, customer, locale)]);
    return { session: { keys, announcement: announcement.media, notRecognised: notRecognised.media }, afterPrompt: own ? announcement.media : [] };
  } catch (err) {
    // The keys still work without the audio; invalid keys are then ignored.
    log.warn({ err }, 'menu audio could not be rendered');
    return { session: { keys, announcement: [], notRecognised: [] }, afterPrompt: [] };
  }
}
