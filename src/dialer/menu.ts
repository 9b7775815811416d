import { ValidationError } from '../shared/errors.js';

/**
 * The campaign's DTMF menu: which key does what, what the customer hears to learn it, and how
 * invalid keys are answered ("not recognised" and the menu again, at most twice, then ignored
 * until the menu times out). Pure: the call session asks, plays and acts.
 */
export const MENU_ACTIONS = ['agent', 'promise_to_pay', 'opt_out', 'repeat', 'callback'] as const;
export type MenuAction = (typeof MENU_ACTIONS)[number];
export type MenuKeys = Readonly<Partial<Record<string, MenuAction>>>;

/** Today's keys; a campaign without a menu keeps them (its own prompt announces them). */
export const DEFAULT_MENU: MenuKeys = Object.freeze({ '1': 'agent', '2': 'promise_to_pay', '9': 'opt_out', '0': 'repeat' });
export const MAX_INVALID_REPROMPTS = 2;

const KEY = /^[0-9*#]$/;

/**
 * A campaign's `menu` (`{ "1": "agent", ... }`): keys 0-9, * or #, each one action, at most one
 * key per action except `repeat`, and an `opt_out` key always (a customer must be able to stop
 * the calls). Throws ValidationError `invalid_menu` with every problem.
 */
export function validateMenu(value: unknown): MenuKeys {
  const problems: Array<{ key: string; message: string }> = [];
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new ValidationError('menu must be an object of key → action', { field: 'menu' }, 'invalid_menu');
  const seen = new Map<string, string>();
  for (const [key, action] of Object.entries(value as Record<string, unknown>)) {
    if (!KEY.test(key)) problems.push({ key, message: 'must be one key: 0-9, * or #' });
    if (typeof action !== 'string' || !(MENU_ACTIONS as readonly string[]).includes(action)) {
      problems.push({ key, message: `action must be one of ${MENU_ACTIONS.join(', ')}` });
      continue;
    }
    if (action !== 'repeat' && seen.has(action)) problems.push({ key, message: `${action} is already on key ${seen.get(action)}` });
    seen.set(action, key);
  }
  if (!seen.has('opt_out')) problems.push({ key: '', message: 'a menu must have an opt_out key' });
  if (problems.length > 0)
    throw new ValidationError(
      `invalid menu: ${problems.map((p) => (p.key ? `${p.key}: ${p.message}` : p.message)).join('; ')}`,
      { field: 'menu', problems },
      'invalid_menu',
    );
  return Object.freeze({ ...(value as Record<string, MenuAction>) });
}

const WORDS = {
  'en-US': {
    agent: 'to speak to an agent',
    promise_to_pay: 'to promise to pay',
    opt_out: 'to stop these calls',
    repeat: 'to hear this message again',
    callback: 'to ask us to call you back later',
    press: (key: string, what: string) => `Press ${key === '*' ? 'star' : key === '#' ? 'pound' : key} ${what}.`,
    notRecognised: 'Sorry, that key was not recognised.',
  },
  'zh-CN': {
    agent: '转人工客服',
    promise_to_pay: '承诺还款',
    opt_out: '不再接收此类来电',
    repeat: '重听本消息',
    callback: '预约稍后回电',
    press: (key: string, what: string) => `${what}请按${key === '*' ? '星号键' : key === '#' ? '井号键' : key}。`,
    notRecognised: '抱歉，无法识别您的按键。',
  },
} as const;

type MenuLocale = keyof typeof WORDS;
const menuLocale = (locale: string): MenuLocale => (locale.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en-US');

/** What the customer hears to learn the menu, in their prompt language (keys in order). */
export function menuAnnouncement(menu: MenuKeys, locale: string): string {
  const w = WORDS[menuLocale(locale)];
  const order = (k: string) => (k === '0' ? 10 : k === '*' ? 11 : k === '#' ? 12 : Number(k));
  return Object.entries(menu)
    .filter((e): e is [string, MenuAction] => e[1] !== undefined)
    .sort(([a], [b]) => order(a) - order(b))
    .map(([key, action]) => w.press(key, w[action]))
    .join(' ');
}

export function notRecognisedText(locale: string): string {
  return WORDS[menuLocale(locale)].notRecognised;
}

/** Prompts (the campaign prompt's shape) that speak the menu and the invalid-key message in each of `locales`. */
export function menuPrompts(menu: MenuKeys, locales: readonly string[]): { announcement: unknown; notRecognised: unknown } {
  const prompt = (text: (l: string) => string) => Object.fromEntries(locales.map((l) => [l, { segments: [{ type: 'tts', text: text(l) }] }]));
  return { announcement: prompt((l) => menuAnnouncement(menu, l)), notRecognised: prompt(notRecognisedText) };
}

export type MenuStep = { kind: 'action'; action: MenuAction } | { kind: 'reprompt'; left: number } | { kind: 'ignore' };

/** One call's menu: what a key means now (invalid keys re-prompt at most MAX_INVALID_REPROMPTS times). */
export class MenuTracker {
  private invalid = 0;
  constructor(private readonly keys: MenuKeys = DEFAULT_MENU) {}

  press(key: string): MenuStep {
    const action = this.keys[key];
    if (action) return { kind: 'action', action };
    if (this.invalid >= MAX_INVALID_REPROMPTS) return { kind: 'ignore' };
    this.invalid += 1;
    return { kind: 'reprompt', left: MAX_INVALID_REPROMPTS - this.invalid };
  }
}
