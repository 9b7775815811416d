import type { Queryable } from '../store/db.js';
import { csvLine } from '../calls/calls.csv.js';
import { maskPhone } from '../shared/redact.js';
import { listMessagesAfter, type MessageFilter } from './messages.repo.js';

const COLUMNS = [
  'id',
  'customer_id',
  'campaign_id',
  'plan_step',
  'channel',
  'direction',
  'address',
  'locale',
  'status',
  'parts',
  'delivered_parts',
  'provider_ids',
  'error',
  'queued_at',
  'sent_at',
  'delivered_at',
  'failed_at',
] as const;

export function maskAddress(a: string): string {
  if (a.includes('@')) return `${a[0]}***@${a.split('@')[1]}`;
  return maskPhone(a);
}

/** The message ledger as CSV, oldest first, a keyset page at a time (bodies are left out: they hold names). */
export async function* messagesCsv(
  q: Queryable,
  f: Omit<MessageFilter, 'before' | 'limit'>,
  opts: { maskAddresses: boolean; batchSize?: number },
): AsyncGenerator<string> {
  yield csvLine(COLUMNS);
  let after: { at: Date; id: string } | null = null;
  for (;;) {
    const rows = await listMessagesAfter(q, f, after, opts.batchSize ?? 1000);
    if (rows.length === 0) return;
    yield rows
      .map((m) =>
        csvLine([
          m.id,
          m.customerId,
          m.campaignId,
          m.planStep,
          m.channel,
          m.direction,
          opts.maskAddresses ? maskAddress(m.address) : m.address,
          m.locale,
          m.status,
          m.parts,
          m.deliveredParts,
          m.providerIds.join(';'),
          m.error,
          m.queuedAt.toISOString(),
          m.sentAt?.toISOString() ?? '',
          m.deliveredAt?.toISOString() ?? '',
          m.failedAt?.toISOString() ?? '',
        ]),
      )
      .join('');
    const last = rows[rows.length - 1]!;
    after = { at: last.queuedAt, id: last.id };
  }
}
