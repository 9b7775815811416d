import type { Db } from '../store/db.js';
import type { GatePort } from '../dialer/ports.js';
import { reserveAttempt } from '../compliance/gate.js';

/**
 * The compliance gate as the dial job calls it. The gate reads the global policy and the
 * campaign's overrides inside its own transaction, so a policy change applies to the next dial.
 */
export function createGatePort(db: Db, defaultProfile: string): GatePort {
  return (req) =>
    reserveAttempt(db, {
      campaignId: req.campaignId,
      contactId: req.contactId,
      customerId: req.customerId,
      attemptNo: req.attemptNo,
      phone: req.phone,
      now: req.now,
      workerId: req.workerId,
      defaultProfile,
    });
}
