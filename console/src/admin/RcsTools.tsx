// Seed 000's RCS tools of a channel: invite a tester's number, and check what a number's phone can receive.
import { type FormEvent, useId, useState } from 'react';
import { type Api, dataOf } from '../api';
import { useI18n } from '../i18n';
import { messageOf } from '../ui';

/** Seed 000's "Enregistrer un testeur" and the capability check of an RCS agent. */
export function RcsTools({ api, channelId }: { api: Api; channelId: number }) {
  const { t } = useI18n();
  const prefix = useId();
  const [tester, setTester] = useState('');
  const [number, setNumber] = useState('');
  const [testerAnswer, setTesterAnswer] = useState<{ text: string; failed: boolean } | null>(null);
  const [checkAnswer, setCheckAnswer] = useState<{ text: string; failed: boolean } | null>(null);

  const invite = async (event: FormEvent) => {
    event.preventDefault();
    setTesterAnswer(null);
    try {
      const answer = await dataOf(
        api.POST('/api/2/channel/{id}/tester', {
          params: { path: { id: channelId } },
          body: { phone_number: tester.trim() },
        }),
      );
      setTesterAnswer({
        text: t('channels.invited', { phone: answer.phone_number, status: answer.invite_status }),
        failed: false,
      });
    } catch (failure) {
      setTesterAnswer({ text: messageOf(failure), failed: true });
    }
  };
  const check = async (event: FormEvent) => {
    event.preventDefault();
    setCheckAnswer(null);
    try {
      const answer = await dataOf(
        api.GET('/api/2/channel/{id}/capability', {
          params: { path: { id: channelId }, query: { phone_number: number.trim() } },
        }),
      );
      setCheckAnswer({
        text: answer.reachable
          ? t('channels.reachable', { phone: answer.phone_number, features: answer.features.join(', ') || '—' })
          : t('channels.unreachable', { phone: answer.phone_number }),
        failed: false,
      });
    } catch (failure) {
      setCheckAnswer({ text: messageOf(failure), failed: true });
    }
  };
  const result = (answer: { text: string; failed: boolean } | null, testId: string) =>
    answer !== null && (
      <p
        className={answer.failed ? 'error small' : 'ok-line small'}
        role={answer.failed ? 'alert' : 'status'}
        data-testid={testId}
      >
        {answer.text}
      </p>
    );
  return (
    <div className="rcs-tools">
      <form onSubmit={(event) => void invite(event)} aria-labelledby={`${prefix}-tester`}>
        <h4 id={`${prefix}-tester`}>{t('channels.tester')}</h4>
        <p className="muted small">{t('channels.testerHint')}</p>
        <div className="inline-form">
          <label>
            {t('channels.phone')}
            <input
              name="tester"
              type="tel"
              required
              // biome-ignore lint/a11y/noAutofocus: the tools open on the button the operator pressed; the focus follows into them.
              autoFocus
              autoComplete="off"
              placeholder="+33612345678"
              value={tester}
              onChange={(event) => setTester(event.target.value)}
            />
          </label>
          <button type="submit">{t('channels.invite')}</button>
        </div>
        {result(testerAnswer, 'tester-answer')}
      </form>
      <form onSubmit={(event) => void check(event)} aria-labelledby={`${prefix}-check`}>
        <h4 id={`${prefix}-check`}>{t('channels.check')}</h4>
        <p className="muted small">{t('channels.checkHint')}</p>
        <div className="inline-form">
          <label>
            {t('channels.phone')}
            <input
              name="capability"
              type="tel"
              required
              autoComplete="off"
              placeholder="+33612345678"
              value={number}
              onChange={(event) => setNumber(event.target.value)}
            />
          </label>
          <button type="submit">{t('channels.checkSubmit')}</button>
        </div>
        {result(checkAnswer, 'capability-answer')}
      </form>
    </div>
  );
}
