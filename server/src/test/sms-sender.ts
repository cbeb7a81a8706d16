// An account ready to send messenger SMS in a test: the app listening, a fake Twilio-compatible provider with one
// sending number, the SMS channel connected to it, and an active chat environment sending on that channel.
import { FakeTwilio } from '@causerie/test-support/fakes/twilio';
import { type ChannelTestSetup, connectFake, startChannelApp } from './channel-app.js';
import { messagingCaller, smsEnvironment } from './messaging.js';

export interface SmsSender {
  s: ChannelTestSetup;
  fake: FakeTwilio;
  channelId: number;
  /** The chat environment sending on the channel. */
  agentId: number;
}

export interface SmsSenderOptions {
  accountSid: string;
  authToken: string;
  number: string;
  /** The channel's sends a second (unset: the channel's default, a long code's one a second). */
  sendRate?: number;
  /** Runs after the channel is connected and before the environment is made (a callback to register first). */
  beforeEnvironment?: (s: ChannelTestSetup) => Promise<void>;
}

export async function startSmsSender(options: SmsSenderOptions): Promise<SmsSender> {
  const s = await startChannelApp();
  const fake = await new FakeTwilio({
    accountSid: options.accountSid,
    authToken: options.authToken,
    numbers: [options.number],
    ratePerSecond: Math.max(1000, options.sendRate ?? 0),
  }).start();
  const channelId = await connectFake(s, fake, {
    type: 'sms',
    credentials: { account_sid: options.accountSid, auth_token: options.authToken, from: options.number },
    ...(options.sendRate !== undefined && { send_rate: options.sendRate }),
  });
  await options.beforeEnvironment?.(s);
  const agentId = await smsEnvironment(
    messagingCaller(() => s.t.app),
    s.key,
    channelId,
  );
  return { s, fake, channelId, agentId };
}
