import nodemailer, { type Transporter } from 'nodemailer';

/**
 * Email over SMTP (nodemailer). Every reminder carries an unsubscribe link in its text and the
 * List-Unsubscribe / List-Unsubscribe-Post headers (RFC 2369, RFC 8058 one-click), so mail
 * clients offer their own unsubscribe button.
 */
export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  unsubscribeUrl: string;
  /** Footer line before the link, in the customer's language. */
  unsubscribeLabel: string;
}

export interface EmailSender {
  send(e: OutgoingEmail): Promise<string>;
  close(): void;
}

export function createEmailSender(o: { smtpUrl: string; from: string }): EmailSender {
  const transport: Transporter = nodemailer.createTransport(o.smtpUrl);
  return {
    async send(e) {
      const info = await transport.sendMail({
        from: o.from,
        to: e.to,
        subject: e.subject,
        text: `${e.text}\n\n--\n${e.unsubscribeLabel}: ${e.unsubscribeUrl}\n`,
        headers: { 'List-Unsubscribe': `<${e.unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
      });
      return String(info.messageId);
    },
    close() {
      transport.close();
    },
  };
}

export const UNSUBSCRIBE_LABEL: Record<string, string> = { 'zh-CN': '退订邮件提醒', 'en-US': 'Unsubscribe from these emails' };
