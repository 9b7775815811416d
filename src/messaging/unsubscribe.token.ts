import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The token in an email's unsubscribe link: the customer id and an HMAC of it, so the link
 * works without a login and cannot be forged for another customer. It names no email address.
 */
const sign = (secret: string, customerId: number): string =>
  createHmac('sha256', secret).update(`unsubscribe:email:${customerId}`).digest('base64url').slice(0, 32);

export function unsubscribeToken(secret: string, customerId: number): string {
  return `${customerId}.${sign(secret, customerId)}`;
}

/** The customer id, or null for a token that was not made with this secret. */
export function verifyUnsubscribeToken(secret: string, token: string): number | null {
  const m = /^([1-9]\d{0,15})\.([A-Za-z0-9_-]{32})$/.exec(token);
  if (!m) return null;
  const id = Number(m[1]);
  const want = Buffer.from(sign(secret, id));
  const got = Buffer.from(m[2]!);
  return want.length === got.length && timingSafeEqual(want, got) ? id : null;
}
