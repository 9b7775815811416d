import type { Logger } from '../shared/logger.js';
import type { PlaceCall } from '../dialer/dialer.js';
import type { AgentCallContext } from '../dialer/ports.js';
import type { DialCampaign } from '../campaigns/campaign.repo.js';
import type { DialContact } from '../contacts/contacts.repo.js';

/** The call the dialer places (or adopts) for one contact's attempt: one shape for both. */
export function callParams(
  campaign: DialCampaign,
  contact: DialContact,
  attemptId: string,
  prompt: { media: string[]; version: string },
  agent: AgentCallContext | undefined,
  log: Logger,
): PlaceCall {
  return {
    attemptId,
    phone: contact.phone,
    customerId: contact.customerId,
    callerId: campaign.callerId,
    media: prompt.media,
    promptVersion: prompt.version,
    amd: { enabled: campaign.amdEnabled, machineAction: campaign.amdMachineAction },
    agent,
    log,
  };
}
