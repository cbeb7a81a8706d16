// Mails an account's activation link to its owner through the installation's SMTP server (SMTP_URL); without one,
// the link is written to the log (it is also in the ACCOUNT_STATUS callback's data, see accounts.ts).
import nodemailer, { type Transporter } from 'nodemailer';
import type { ActivationToSend } from './accounts.js';

export interface ActivationMailer {
  /** Whether links are mailed (else logged). */
  readonly mailing: boolean;
  send(activation: ActivationToSend): Promise<void>;
  close(): void;
}

const TEXTS = {
  fr: {
    subject: 'Activez votre compte',
    body: (name: string, link: string, expires: string) =>
      `Bonjour ${name},\n\nVotre compte a été créé. Pour l'activer, ouvrez ce lien et choisissez votre mot de passe :\n\n${link}\n\nLe lien est valable jusqu'au ${expires} (UTC) et ne sert qu'une fois.\n`,
  },
  en: {
    subject: 'Activate your account',
    body: (name: string, link: string, expires: string) =>
      `Hello ${name},\n\nYour account has been created. To activate it, open this link and choose your password:\n\n${link}\n\nThe link works until ${expires} (UTC), once.\n`,
  },
};

export function activationMailer(
  options: { smtpUrl?: string; from?: string; publicUrl: string },
  log: { info: (fields: object, message: string) => void },
): ActivationMailer {
  const from = options.from ?? `Causerie <no-reply@${new URL(options.publicUrl).hostname}>`;
  let transport: Transporter | undefined;
  if (options.smtpUrl === undefined)
    return {
      mailing: false,
      async send(activation) {
        log.info(
          { accountId: activation.accountId, email: activation.email, link: activation.link },
          'Account activation link (no SMTP_URL configured: not mailed)',
        );
      },
      close() {},
    };
  const smtpUrl = options.smtpUrl;
  return {
    mailing: true,
    async send(activation) {
      transport ??= nodemailer.createTransport(smtpUrl);
      const texts = activation.locale.startsWith('fr') ? TEXTS.fr : TEXTS.en;
      await transport.sendMail({
        from,
        to: activation.email,
        subject: texts.subject,
        text: texts.body(activation.ownerName, activation.link, activation.expiresAt.slice(0, 16).replace('T', ' ')),
      });
    },
    close() {
      transport?.close();
    },
  };
}
