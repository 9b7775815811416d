import type { Config } from '../config.js';
import type { Db } from '../store/db.js';
import type { Logger } from '../shared/logger.js';
import { createEmailSender } from './email.smtp.js';
import { handleInboundSms, handleReceipt, type MessagingDeps } from './messaging.service.js';
import { SmppClient } from './smpp.client.js';

/**
 * The worker's messaging side: one SMPP bind (receipts and customers' replies arrive on it)
 * and one SMTP transport. Receipts update the ledger; replies may opt a customer out.
 */
export interface MessagingRuntime {
  deps: MessagingDeps;
  smpp: SmppClient;
  close(): Promise<void>;
}

export function startMessaging(config: Config, db: Db, log: Logger): MessagingRuntime {
  const m = config.messaging;
  const smpp = new SmppClient({
    url: m.smppUrl,
    systemId: m.smppSystemId,
    password: m.smppPassword,
    sourceAddr: m.smsSender,
    log: log.child({ component: 'smpp' }),
  });
  const email = createEmailSender({ smtpUrl: m.smtpUrl, from: m.emailFrom });
  const deps: MessagingDeps = {
    db,
    log,
    sms: smpp,
    email,
    bank: config.bank,
    defaultProfile: config.policyProfile,
    publicUrl: m.publicUrl,
    unsubscribeSecret: m.unsubscribeSecret,
    defaultRegion: config.defaultRegion,
  };
  smpp.onReceipt((r) => void handleReceipt(deps, r).catch((err: unknown) => log.error({ err }, 'delivery receipt not recorded')));
  smpp.onInbound((msg) => void handleInboundSms(deps, msg).catch((err: unknown) => log.error({ err }, 'inbound SMS not handled')));
  smpp.start();
  return {
    deps,
    smpp,
    async close() {
      await smpp.close();
      email.close();
    },
  };
}
