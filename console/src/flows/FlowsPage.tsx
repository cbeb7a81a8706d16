// The Flows pages (admins): the account's flows (create, activate), a flow's version editor, the run inspector and the
// charge totals, under /admin/flows…; loaded on demand like the reports page. Everything is rendered as text.
import { type FormEvent, useCallback, useState } from 'react';
import { useList } from '../admin/use-list';
import type { Api } from '../api';
import { useI18n } from '../i18n';
import { navigate } from '../router';
import { ErrorLine, formatTime, messageOf } from '../ui';
import { ChargesView } from './ChargesView';
import { changeFlow, createFlow, type Flow, listFlows } from './commerce';
import { FlowEditor } from './FlowEditor';
import { RunInspector } from './RunInspector';
import type { FlowsRoute } from './routes';
import { useFlowsText } from './strings';
import { draftOf, type TriggerDraft, TriggerFields, triggerLabel, triggerOf } from './triggers';
import './flows.css';

export function FlowsPage({ api, route }: { api: Api; route: FlowsRoute }) {
  const text = useFlowsText();
  const link = (path: string, label: string, active: boolean) => (
    <a
      href={path}
      className={active ? 'tab active' : 'tab'}
      aria-current={active ? 'page' : undefined}
      onClick={(event) => {
        event.preventDefault();
        navigate(path);
      }}
    >
      {label}
    </a>
  );
  return (
    <main className="admin flows-page">
      <nav className="admin-tabs" aria-label={text('flows.nav')}>
        {link('/admin/flows', text('flows.list'), route.view === 'list' || route.view === 'editor')}
        {link('/admin/flows/runs', text('flows.runs'), route.view === 'runs')}
        {link('/admin/flows/charges', text('flows.charges'), route.view === 'charges')}
      </nav>
      <div className="admin-body">
        {route.view === 'list' && <FlowList api={api} />}
        {route.view === 'editor' && <FlowEditor api={api} flowId={route.flowId} />}
        {route.view === 'runs' && <RunInspector api={api} />}
        {route.view === 'charges' && <ChargesView api={api} />}
      </div>
    </main>
  );
}

function FlowList({ api }: { api: Api }) {
  const text = useFlowsText();
  const { rows, error, setError, act } = useList<Flow>(api, listFlows);
  const [code, setCode] = useState('');
  const [name, setName] = useState('');
  const [trigger, setTrigger] = useState<TriggerDraft>(() => draftOf(undefined));
  const create = useCallback(
    async (event: FormEvent) => {
      event.preventDefault();
      setError(null);
      try {
        const flow = await createFlow(api, { code, name, trigger: triggerOf(trigger), active: true });
        navigate(`/admin/flows/${flow.flow_id}`);
      } catch (failure) {
        setError(messageOf(failure));
      }
    },
    [api, code, name, trigger, setError],
  );
  const { language } = useI18n();
  return (
    <section aria-labelledby="flows-title">
      <h2 id="flows-title">{text('flows.title')}</h2>
      <ErrorLine error={error} />
      <form className="inline-form card" onSubmit={(event) => void create(event)} aria-label={text('flows.new')}>
        <label>
          {text('flows.code')}
          <input name="code" required value={code} onChange={(event) => setCode(event.target.value)} />
        </label>
        <label>
          {text('flows.name')}
          <input name="name" required value={name} onChange={(event) => setName(event.target.value)} />
        </label>
        <TriggerFields draft={trigger} onChange={setTrigger} />
        <button type="submit" className="primary">
          {text('flows.create')}
        </button>
      </form>
      {rows !== null && rows.length === 0 && <p className="muted">{text('flows.empty')}</p>}
      {rows !== null && rows.length > 0 && (
        <table className="table" data-testid="flows">
          <thead>
            <tr>
              <th scope="col">{text('flows.code')}</th>
              <th scope="col">{text('flows.name')}</th>
              <th scope="col">{text('flows.trigger')}</th>
              <th scope="col">{text('flows.active')}</th>
              <th scope="col">{text('flows.version')}</th>
              <th scope="col">
                <span className="sr-only">{text('flows.edit')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((flow) => (
              <tr key={flow.flow_id} data-testid={`flow-${flow.code}`} className={flow.active ? '' : 'muted'}>
                <td className="mono">{flow.code}</td>
                <td>{flow.name}</td>
                <td>
                  {triggerLabel(flow.trigger, text)}
                  {flow.next_fire_at != null && (
                    <span className="small muted">
                      {' '}
                      {text('flows.nextFire', { at: formatTime(flow.next_fire_at, language, true) })}
                    </span>
                  )}
                </td>
                <td>
                  <button
                    type="button"
                    aria-pressed={flow.active}
                    onClick={() => void act(() => changeFlow(api, flow.flow_id, { active: !flow.active }))}
                    title={formatTime(flow.updated_at, language, true)}
                  >
                    {flow.active ? text('flows.deactivate') : text('flows.activate')}
                  </button>{' '}
                  <span className="small">{flow.active ? text('flows.active') : text('flows.inactive')}</span>
                </td>
                <td>{flow.current_version ?? text('flows.noVersion')}</td>
                <td>
                  <a
                    href={`/admin/flows/${flow.flow_id}`}
                    onClick={(event) => {
                      event.preventDefault();
                      navigate(`/admin/flows/${flow.flow_id}`);
                    }}
                  >
                    {text('flows.edit')}
                    <span className="sr-only"> {flow.code}</span>
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
