// Charge totals: by Europe/Rome day or month, kind and currency, for the whole account or one customer (user_key),
// from GET /api/commerce/v1/getChargeTotals.
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import type { Api } from '../api';
import { useI18n } from '../i18n';
import { ErrorLine, messageOf } from '../ui';
import { type ChargeTotals, chargeTotals } from './commerce';
import { dayBefore } from './rome-day';
import { useFlowsText } from './strings';

export function ChargesView({ api }: { api: Api }) {
  const text = useFlowsText();
  const { language } = useI18n();
  const [userKey, setUserKey] = useState('');
  const [period, setPeriod] = useState<'day' | 'month'>('day');
  const [from, setFrom] = useState(() => dayBefore(30));
  const [to, setTo] = useState(() => dayBefore(-1));
  const [answer, setAnswer] = useState<ChargeTotals | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    setError(null);
    try {
      setAnswer(
        await chargeTotals(api, {
          period,
          user_key: userKey.trim() === '' ? undefined : userKey.trim(),
          from: from === '' ? undefined : from,
          to: to === '' ? undefined : to,
        }),
      );
    } catch (failure) {
      setAnswer(null);
      setError(messageOf(failure));
    }
  }, [api, period, userKey, from, to]);
  // The account's last 30 days when the page opens.
  // biome-ignore lint/correctness/useExhaustiveDependencies: once; later loads follow the form.
  useEffect(() => {
    void load();
  }, []);
  const amount = (value: number, currency: string) =>
    new Intl.NumberFormat(language, { style: 'currency', currency, maximumFractionDigits: 6 }).format(value);

  return (
    <section aria-labelledby="charges-title">
      <h2 id="charges-title">{text('flows.charges')}</h2>
      <form
        className="inline-form card"
        aria-label={text('charges.filters')}
        onSubmit={(event: FormEvent) => {
          event.preventDefault();
          void load();
        }}
      >
        <label className="wide">
          {text('charges.userKey')}
          <input name="user_key" value={userKey} onChange={(event) => setUserKey(event.target.value)} />
        </label>
        <label>
          {text('charges.period')}
          <select
            name="period"
            value={period}
            onChange={(event) => setPeriod(event.target.value === 'month' ? 'month' : 'day')}
          >
            <option value="day">{text('charges.day')}</option>
            <option value="month">{text('charges.month')}</option>
          </select>
        </label>
        <label>
          {text('charges.from')}
          <input type="date" name="from" value={from} onChange={(event) => setFrom(event.target.value)} />
        </label>
        <label>
          {text('charges.to')}
          <input type="date" name="to" value={to} onChange={(event) => setTo(event.target.value)} />
        </label>
        <button type="submit" className="primary">
          {text('charges.show')}
        </button>
      </form>
      <ErrorLine error={error} />
      {answer !== null && answer.totals.length === 0 && <p className="muted">{text('charges.none')}</p>}
      {answer !== null && answer.totals.length > 0 && (
        <table className="table" data-testid="charge-totals">
          <caption>{text('charges.caption', { from: answer.from, to: answer.to })}</caption>
          <thead>
            <tr>
              <th scope="col">{text('charges.periodColumn')}</th>
              <th scope="col">{text('charges.kind')}</th>
              <th scope="col">{text('charges.quantity')}</th>
              <th scope="col">{text('charges.count')}</th>
              <th scope="col">{text('charges.amount')}</th>
            </tr>
          </thead>
          <tbody>
            {answer.totals.map((total) => (
              <tr key={`${total.period} ${total.kind} ${total.currency}`}>
                <td>{total.period}</td>
                <td className="mono">{total.kind}</td>
                <td>{total.quantity}</td>
                <td>{total.count}</td>
                <td>{amount(total.amount, total.currency)}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            {answer.sums.map((sum) => (
              <tr key={sum.currency}>
                <th scope="row" colSpan={3}>
                  {text('charges.total')} ({sum.currency})
                </th>
                <td>{sum.count}</td>
                <td data-testid={`charge-sum-${sum.currency}`}>{amount(sum.amount, sum.currency)}</td>
              </tr>
            ))}
          </tfoot>
        </table>
      )}
    </section>
  );
}
