import type { Logger } from '../shared/logger.js';
import type { PromptCustomer, PromptPort } from './ports.js';

/**
 * What an answering machine hears, when anything: a limited-content message (US Reg F,
 * 12 CFR 1006.2(j)): the customer's name, a request to call back, a person to ask for and the
 * number; no bank name, no amount, nothing that says a debt is being collected, since a third
 * party may play the machine back. Spoken only after the greeting and its beep: the dialplan
 * (ringwise-amd) waits for the silence that follows them before the channel comes back.
 * Never the personalised reminder prompt.
 */
const MESSAGES = {
  'en-US': 'Hello, this message is for {name}. Please call {contact_name} back at {callback_number}. Thank you.',
  'zh-CN': '您好，这是给{name}的留言。请回电{callback_number}联系{contact_name}。谢谢。',
} as const;

export function limitedContentPrompt(): unknown {
  return Object.fromEntries(Object.entries(MESSAGES).map(([locale, text]) => [locale, { segments: [{ type: 'tts', text }] }]));
}

export type MachineAction = 'hangup' | 'message';

/**
 * The campaign asks (`amdMachineAction`), the policy permits (`voicemail`): a message only when
 * both say so; a hang-up otherwise.
 */
export function machineAction(campaign: MachineAction, policy: 'limited_content' | 'hang_up' | undefined): MachineAction {
  return campaign === 'message' && policy === 'limited_content' ? 'message' : 'hangup';
}

/** The rendered limited-content message (TTS cached by content hash), or [] when it cannot be rendered (then: hang up). */
export async function renderLimitedContent(render: PromptPort, customer: PromptCustomer, locale: string, log: Logger): Promise<string[]> {
  try {
    return (await render(limitedContentPrompt(), customer, locale)).media;
  } catch (err) {
    log.warn({ err }, 'voicemail message could not be rendered: machines are hung up on');
    return [];
  }
}
