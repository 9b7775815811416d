import { Type } from '@sinclair/typebox';
import { NotFoundError } from '../shared/errors.js';
import { Readable } from 'node:stream';
import { maskAddress, messagesCsv } from '../messaging/messages.csv.js';
import { withTransaction } from '../store/db.js';
import { insertDnc } from '../compliance/dnc.repo.js';
import { listMessages, type MessageChannel, type MessageRow, type MessageStatus } from '../messaging/messages.repo.js';
import { MessageTemplatesSchema, renderMessage, validateMessageTemplates } from '../messaging/message.template.js';
import { selectMessageCustomer } from '../messaging/messaging.service.js';
import { smsParts } from '../messaging/sms.encode.js';
import { verifyUnsubscribeToken } from '../messaging/unsubscribe.token.js';
import type { ApiApp, ApiDeps } from './api.types.js';
import { audit } from '../audit/audit.js';
import { requireRole } from '../auth/auth.js';
import { seesContactData } from '../auth/roles.js';
import { ErrorResponses, MediaResponse, Nullable, StringEnum } from './schemas.js';

const Message = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    customerId: Nullable(Type.Integer()),
    campaignId: Nullable(Type.Integer()),
    planStep: Nullable(Type.Integer()),
    channel: Type.String(),
    direction: Type.String(),
    address: Type.String({ description: 'masked for operators and viewers' }),
    locale: Nullable(Type.String()),
    subject: Nullable(Type.String()),
    body: Type.String(),
    status: Type.String({ description: 'queued, sent, delivered, failed (outbound); received (inbound)' }),
    parts: Type.Integer(),
    deliveredParts: Type.Integer(),
    providerIds: Type.Array(Type.String()),
    error: Nullable(Type.String()),
    queuedAt: Type.String({ format: 'date-time' }),
    sentAt: Nullable(Type.String({ format: 'date-time' })),
    deliveredAt: Nullable(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);

/** The ledger's filters, the same for the list and the export. */
const filters = {
  campaignId: Type.Optional(Type.Integer({ minimum: 1 })),
  customerId: Type.Optional(Type.Integer({ minimum: 1 })),
  channel: Type.Optional(StringEnum(['sms', 'email'] as const)),
  status: Type.Optional(StringEnum(['queued', 'sent', 'delivered', 'failed', 'received'] as const)),
};

const SAMPLE = {
  'zh-CN': { name: '王小明', locale: 'zh-CN', amountDue: '3200.00', currency: 'CNY', dueDate: '2026-11-25', daysPastDue: 12 },
  'en-US': { name: 'Alex Smith', locale: 'en-US', amountDue: '3200.00', currency: 'USD', dueDate: '2026-11-25', daysPastDue: 12 },
} as const;

const page = `<!doctype html><meta charset="utf-8"><title>Unsubscribe</title>`;

/** The message ledger, template previews, and the public unsubscribe link of reminder emails. */
export async function messagesRoutes(app: ApiApp, deps: ApiDeps): Promise<void> {
  const out = (m: MessageRow, full: boolean) => ({
    id: m.id,
    customerId: m.customerId,
    campaignId: m.campaignId,
    planStep: m.planStep,
    channel: m.channel,
    direction: m.direction,
    address: full ? m.address : maskAddress(m.address),
    locale: m.locale,
    subject: m.subject,
    body: m.body,
    status: m.status,
    parts: m.parts,
    deliveredParts: m.deliveredParts,
    providerIds: m.providerIds,
    error: m.error,
    queuedAt: m.queuedAt.toISOString(),
    sentAt: m.sentAt?.toISOString() ?? null,
    deliveredAt: m.deliveredAt?.toISOString() ?? null,
  });

  app.get(
    '/v1/messages',
    {
      preHandler: requireRole('admin', 'operator', 'supervisor', 'viewer'),
      schema: {
        tags: ['messages'],
        summary: 'The message ledger (SMS and email, both directions), newest first',
        querystring: Type.Object(
          {
            ...filters,
            before: Type.Optional(Type.String({ format: 'date-time' })),
            limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(Message) }), ...ErrorResponses },
      },
    },
    async (req) => {
      const q = req.query;
      const rows = await listMessages(deps.db, {
        ...q,
        channel: q.channel as MessageChannel | undefined,
        status: q.status as MessageStatus | undefined,
        before: q.before ? new Date(q.before) : undefined,
      });
      const full = seesContactData(req.principal);
      return { items: rows.map((m) => out(m, full)) };
    },
  );

  app.get(
    '/v1/messages.csv',
    {
      preHandler: requireRole('admin', 'operator', 'supervisor', 'viewer'),
      schema: {
        tags: ['messages'],
        summary: 'Export the message ledger as CSV, oldest first, streamed (addresses masked except for admin and supervisor; bodies left out)',
        querystring: Type.Object(
          {
            ...filters,
          },
          { additionalProperties: false },
        ),
        response: { 200: MediaResponse('text/csv', 'the messages, one per line, oldest first'), ...ErrorResponses },
      },
    },
    async (req, reply) => {
      const q = req.query;
      const maskAddresses = !seesContactData(req.principal);
      const stream = Readable.from(
        messagesCsv(deps.db, { ...q, channel: q.channel as MessageChannel | undefined, status: q.status as MessageStatus | undefined }, { maskAddresses }),
      );
      stream.on('error', (err) => req.log.error({ err }, 'messages export failed mid-stream'));
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="messages.csv"')
        .header('cache-control', 'no-store')
        .send(stream as never);
    },
  );

  app.post(
    '/v1/messages/preview',
    {
      preHandler: requireRole('admin', 'operator', 'supervisor'),
      schema: {
        tags: ['messages'],
        summary: "A message template filled in for a customer (or sample data), with the SMS's encoding and parts",
        body: Type.Object(
          {
            channel: StringEnum(['sms', 'email'] as const),
            customerId: Type.Optional(Type.Integer({ minimum: 1 })),
            locale: Type.Optional(Type.String({ description: 'for sample data: zh-CN or en-US' })),
            templates: Type.Optional(MessageTemplatesSchema),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            locale: Type.String(),
            subject: Nullable(Type.String()),
            body: Type.String(),
            sms: Nullable(Type.Object({ encoding: Type.String(), parts: Type.Integer(), characters: Type.Integer() })),
          }),
          ...ErrorResponses,
        },
      },
    },
    async (req) => {
      const b = req.body;
      if (b.templates) validateMessageTemplates(b.templates);
      let customer;
      if (b.customerId !== undefined) {
        customer = await selectMessageCustomer(deps.db, b.customerId);
        if (!customer) throw new NotFoundError('customer', b.customerId);
      } else {
        customer = b.locale === 'en-US' ? SAMPLE['en-US'] : SAMPLE['zh-CN'];
      }
      const r = renderMessage(b.channel as MessageChannel, b.templates ?? null, customer, deps.config.bank);
      return { ...r, sms: b.channel === 'sms' ? { ...smsParts(r.body), characters: r.body.length } : null };
    },
  );

  // Public: the link in every reminder email. GET only asks (mail scanners follow links);
  // POST unsubscribes (the page's button, or a mail client's RFC 8058 one-click POST).
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  const TokenParams = Type.Object({ token: Type.String({ maxLength: 64 }) }, { additionalProperties: false });
  app.get('/unsubscribe/:token', { schema: { hide: true, params: TokenParams } }, async (req, reply) => {
    const ok = verifyUnsubscribeToken(deps.config.messaging.unsubscribeSecret, req.params.token) !== null;
    reply.type('text/html; charset=utf-8').code(ok ? 200 : 404);
    return ok
      ? `${page}<form method="post"><p>Stop reminder emails? / 不再接收邮件提醒？</p><button type="submit">Unsubscribe / 退订</button></form>`
      : `${page}<p>This link is not valid.</p>`;
  });
  app.post('/unsubscribe/:token', { schema: { hide: true, params: TokenParams } }, async (req, reply) => {
    const customerId = verifyUnsubscribeToken(deps.config.messaging.unsubscribeSecret, req.params.token);
    reply.type('text/html; charset=utf-8');
    if (customerId === null) return reply.code(404).send(`${page}<p>This link is not valid.</p>`);
    const done = await withTransaction(deps.db, async (c) => {
      const exists = await selectMessageCustomer(c, customerId);
      if (!exists) return false;
      const { id } = await insertDnc(c, {
        phone: null,
        customerId,
        channel: 'email',
        reason: 'unsubscribed by email link',
        source: 'email',
        expiresAt: null,
        createdBy: null,
      });
      await audit(c, null, 'dnc.create', { type: 'dnc', id }, { customerId, channel: 'email', source: 'email' });
      return true;
    });
    return reply.code(done ? 200 : 404).send(done ? `${page}<p>You are unsubscribed. / 您已退订邮件提醒。</p>` : `${page}<p>This link is not valid.</p>`);
  });
}
