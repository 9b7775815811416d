import type { Logger } from '../shared/logger.js';
import type { AgentCallContext, AgentCallRequest, PromptCustomer, PromptPort } from '../dialer/ports.js';
import { agentDisplayName } from './agent-callerid.js';

/** At or above the campaign's threshold; a campaign without one, or a customer without a score, is not. */
export function isHighRisk(threshold: number | null, riskScore: number | null): boolean {
  return threshold !== null && riskScore !== null && riskScore >= threshold;
}

// Spoken with the prompts module's TTS (cached by content hash, so rendered once per bank and locale).
const MESSAGES = {
  'en-US': {
    connecting: 'Please hold while we connect you to one of our agents.',
    abandoned:
      'We are sorry, all of our agents are busy right now. {bank_name} will call you back shortly. You can also call us at {callback_number}. Goodbye.',
    abandonedNoCallback: 'We are sorry, all of our agents are busy right now. Please call {bank_name} at {callback_number}. Goodbye.',
  },
  'zh-CN': {
    connecting: '请稍候，正在为您转接人工客服。',
    abandoned: '很抱歉，目前客服都在忙。{bank_name}稍后会给您回电，您也可以拨打{callback_number}联系我们。再见。',
    abandonedNoCallback: '很抱歉，目前客服都在忙。请拨打{callback_number}联系{bank_name}。再见。',
  },
} as const;

function messagePrompt(kind: keyof (typeof MESSAGES)['en-US']): unknown {
  return Object.fromEntries(Object.entries(MESSAGES).map(([locale, m]) => [locale, { segments: [{ type: 'tts', text: m[kind] }] }]));
}

/**
 * "Connecting you" and the no-agent message (bank name, callback number), before the call. The
 * no-agent message promises a callback only when one would be queued (`promiseCallback`: the
 * contact has not used up its callbacks after abandoned calls).
 */
export async function renderAgentMessages(
  render: PromptPort,
  customer: PromptCustomer,
  locale: string,
  log: Logger,
  promiseCallback = true,
): Promise<AgentCallContext['media']> {
  try {
    const [connecting, abandoned] = await Promise.all([
      render(messagePrompt('connecting'), customer, locale),
      render(messagePrompt(promiseCallback ? 'abandoned' : 'abandonedNoCallback'), customer, locale),
    ]);
    return { connecting: connecting.media, abandoned: abandoned.media };
  } catch (err) {
    // Bridging still works without them: silence then music, or a plain hang-up.
    log.warn({ err }, 'agent messages could not be rendered');
    return { connecting: [], abandoned: [] };
  }
}

export function agentCallContext(
  campaign: Pick<AgentCallRequest['campaign'], 'id' | 'callerId'>,
  contact: AgentCallRequest['contact'],
  highRisk: boolean,
  media: AgentCallContext['media'],
  onAgentClaimed?: () => void,
): AgentCallContext {
  return {
    highRisk,
    displayName: agentDisplayName(contact),
    callerNumber: campaign.callerId,
    card: {
      customerId: Number(contact.customerId),
      name: contact.name,
      amountDue: contact.amountDue,
      currency: contact.currency,
      daysPastDue: contact.daysPastDue,
      riskScore: contact.riskScore,
      campaignId: Number(campaign.id),
    },
    media,
    onAgentClaimed,
  };
}
