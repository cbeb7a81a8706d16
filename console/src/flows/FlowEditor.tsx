// A flow's page: its name, trigger and activity, and the version editor — the ordered steps as forms (add, remove,
// reorder) or the same definition as JSON; saving publishes a new version, and the server's validation error is shown
// at the step and field its JSON pointer names.
import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';
import { type Api, failedField } from '../api';
import { navigate } from '../router';
import { ErrorLine, messageOf } from '../ui';
import { changeFlow, type Definition, deleteFlow, type FlowWithVersions, loadFlow, publishVersion } from './commerce';
import {
  definitionText,
  type ErrorPlace,
  moved,
  newStep,
  parseDefinition,
  placeOfError,
  STEP_TYPES,
  type StepType,
  valueOfInput,
  withField,
} from './flow-editor';
import { StepForm } from './StepForm';
import { errorText, useFlowsText } from './strings';
import { draftOf, type TriggerDraft, TriggerFields, triggerOf } from './triggers';

/** The server's refusal of a version: its message and where it points. */
interface SaveError {
  message: string;
  pointer: string;
  place: ErrorPlace | null;
}

export function FlowEditor({ api, flowId }: { api: Api; flowId: number }) {
  const text = useFlowsText();
  const [flow, setFlow] = useState<FlowWithVersions | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  // Kept here: the editor starts again on the version it saved.
  const [saved, setSaved] = useState<number | null>(null);
  useEffect(() => {
    let cancelled = false;
    void tick;
    loadFlow(api, flowId)
      .then((loaded) => !cancelled && setFlow(loaded))
      .catch((failure: unknown) => !cancelled && setLoadError(messageOf(failure)));
    return () => {
      cancelled = true;
    };
  }, [api, flowId, tick]);
  if (loadError !== null) return <ErrorLine error={loadError} />;
  if (flow === null) return <p className="muted">…</p>;
  return (
    <section aria-labelledby="flow-title">
      <p>
        <a
          href="/admin/flows"
          onClick={(event) => {
            event.preventDefault();
            navigate('/admin/flows');
          }}
        >
          {text('flows.back')}
        </a>
      </p>
      <h2 id="flow-title">{text('flows.editor', { code: flow.code })}</h2>
      <FlowSettings api={api} flow={flow} onSaved={() => setTick((value) => value + 1)} />
      {saved !== null && (
        <p role="status" className="saved">
          {text('flows.saved', { version: saved })}
        </p>
      )}
      <VersionEditor
        key={flow.current_version ?? 0}
        api={api}
        flow={flow}
        onSaved={(version) => {
          setSaved(version);
          setTick((value) => value + 1);
        }}
        onEdit={() => setSaved(null)}
      />
    </section>
  );
}

function FlowSettings({ api, flow, onSaved }: { api: Api; flow: FlowWithVersions; onSaved: () => void }) {
  const text = useFlowsText();
  const [name, setName] = useState(flow.name);
  const [trigger, setTrigger] = useState<TriggerDraft>(() => draftOf(flow.trigger));
  const [active, setActive] = useState(flow.active);
  const [error, setError] = useState<string | null>(null);
  const save = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      await changeFlow(api, flow.flow_id, { name, trigger: triggerOf(trigger), active });
      onSaved();
    } catch (failure) {
      setError(messageOf(failure));
    }
  };
  return (
    <>
      <form className="inline-form card" aria-label={text('flows.settings')} onSubmit={(event) => void save(event)}>
        <label>
          {text('flows.name')}
          <input name="flow-name" required value={name} onChange={(event) => setName(event.target.value)} />
        </label>
        <TriggerFields draft={trigger} onChange={setTrigger} />
        <label className="toggle">
          <input type="checkbox" checked={active} onChange={(event) => setActive(event.target.checked)} />
          {text('flows.active')}
        </label>
        <button type="submit">{text('flows.saveSettings')}</button>
        <ErrorLine error={error} />
      </form>
      <DeleteFlow api={api} flow={flow} />
    </>
  );
}

/** Deleting takes two clicks; the server refuses (409, with the count) while runs are under way unless asked to cancel. */
function DeleteFlow({ api, flow }: { api: Api; flow: FlowWithVersions }) {
  const text = useFlowsText();
  const [asked, setAsked] = useState(false);
  const [cancelRuns, setCancelRuns] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const remove = async () => {
    setError(null);
    try {
      const answer = await deleteFlow(api, flow.flow_id, cancelRuns);
      setDone(text('flows.deleted', { code: flow.code, count: answer.cancelled_runs }));
      navigate('/admin/flows');
    } catch (failure) {
      setError(messageOf(failure));
    }
  };
  return (
    <fieldset className="inline-form card" aria-label={text('flows.delete')}>
      <label className="toggle">
        <input type="checkbox" checked={cancelRuns} onChange={(event) => setCancelRuns(event.target.checked)} />
        {text('flows.deleteCancelRuns')}
      </label>
      {asked ? (
        <button type="button" className="danger" onClick={() => void remove()}>
          {text('flows.deleteConfirm')}
        </button>
      ) : (
        <button type="button" onClick={() => setAsked(true)}>
          {text('flows.delete')}
        </button>
      )}
      <ErrorLine error={error} />
      {done !== null && <p role="status">{done}</p>}
    </fieldset>
  );
}

function VersionEditor({
  api,
  flow,
  onSaved,
  onEdit,
}: {
  api: Api;
  flow: FlowWithVersions;
  onSaved: (version: number) => void;
  onEdit: () => void;
}) {
  const text = useFlowsText();
  const latest = flow.versions.find((version) => version.version === flow.current_version);
  const [definition, setDefinition] = useState<Definition>(() =>
    latest === undefined ? { steps: [] } : structuredClone(latest.definition),
  );
  // Forms are keyed by this: it changes when steps move or the JSON is applied, so list fields' drafts start again.
  const [generation, setGeneration] = useState(0);
  const [view, setView] = useState<'form' | 'json'>('form');
  const [json, setJson] = useState('');
  const [jsonProblem, setJsonProblem] = useState<string | null>(null);
  const [error, setError] = useState<SaveError | null>(null);
  const [newType, setNewType] = useState<StepType>('send_message');
  const errorRef = useRef<HTMLDivElement | null>(null);

  const setSteps = (steps: Array<Record<string, unknown>>, renumbered: boolean) => {
    setDefinition((current) => ({ ...current, steps }));
    if (renumbered) setGeneration((value) => value + 1);
  };
  const showJson = () => {
    setJson(definitionText(definition));
    setJsonProblem(null);
    setView('json');
  };
  /** The JSON view's text into the form; false (and the reason shown) when it is not a definition. */
  const applyJson = (): Definition | null => {
    const parsed = parseDefinition(json);
    if ('problem' in parsed) {
      setJsonProblem(text('flows.jsonInvalid', { problem: parsed.problem }));
      return null;
    }
    setJsonProblem(null);
    setDefinition(parsed.definition);
    setGeneration((value) => value + 1);
    return parsed.definition;
  };

  const save = useCallback(
    async (toSave: Definition) => {
      setError(null);
      onEdit();
      try {
        const published = await publishVersion(api, flow.flow_id, toSave);
        onSaved(published.version);
      } catch (failure) {
        const field = failedField(failure);
        const place = placeOfError(field);
        setError({ message: messageOf(failure), pointer: field?.replace(/^definition/, '') || '/', place });
      }
    },
    [api, flow.flow_id, onSaved, onEdit],
  );

  // Once shown, the step the error names takes the focus (its field when the form has one), else the message.
  useEffect(() => {
    if (error === null) return;
    const step = error.place?.step;
    const inStep = (selector: string) =>
      step === null || step === undefined
        ? null
        : document.querySelector<HTMLElement>(`[data-step="${step}"] ${selector}`);
    (inStep('[aria-invalid="true"]') ?? inStep('.step-error') ?? errorRef.current)?.focus();
  }, [error]);

  const steps = definition.steps;
  const stepError = (index: number) => (error?.place?.step === index ? error : null);
  return (
    <section className="card version-editor" aria-labelledby="definition-title">
      <h3 id="definition-title">
        {flow.current_version === null
          ? text('flows.definitionNew')
          : text('flows.definition', { version: flow.current_version })}
      </h3>
      <div className="tabs view-switch" role="tablist" aria-label={text('flows.steps')}>
        <button
          type="button"
          role="tab"
          aria-selected={view === 'form'}
          className={view === 'form' ? 'tab active' : 'tab'}
          onClick={() => {
            if (view === 'json' && applyJson() === null) return;
            setView('form');
          }}
        >
          {text('flows.formView')}
        </button>
        <button
          type="button"
          role="tab"
          aria-selected={view === 'json'}
          className={view === 'json' ? 'tab active' : 'tab'}
          onClick={() => view === 'form' && showJson()}
        >
          {text('flows.jsonView')}
        </button>
      </div>
      {error !== null && (error.place === null || error.place.step === null) && (
        <div className="error" role="alert" tabIndex={-1} ref={errorRef} data-testid="definition-error">
          {errorText(error, text)}
        </div>
      )}
      {view === 'json' ? (
        <div className="json-view">
          <label>
            {text('flows.jsonLabel')}
            <textarea
              name="definition-json"
              rows={Math.min(30, Math.max(8, json.split('\n').length + 1))}
              spellCheck={false}
              className="mono"
              value={json}
              onChange={(event) => setJson(event.target.value)}
              aria-invalid={jsonProblem !== null || error !== null}
            />
          </label>
          {jsonProblem !== null && (
            <p className="error" role="alert">
              {jsonProblem}
            </p>
          )}
          {error?.place?.step !== null && error?.place?.step !== undefined && (
            <p className="error" role="alert" data-testid="definition-error">
              {errorText(error, text)}
            </p>
          )}
          <div className="actions">
            <button type="button" onClick={() => applyJson() !== null && setView('form')}>
              {text('flows.applyJson')}
            </button>
            <button
              type="button"
              className="primary"
              onClick={() => {
                const parsed = applyJson();
                if (parsed !== null) void save(parsed);
              }}
            >
              {text('flows.saveVersion')}
            </button>
          </div>
        </div>
      ) : (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            void save(definition);
          }}
        >
          <label className="channel-field">
            {text('flows.channel')}
            <input
              name="channel_id"
              inputMode="numeric"
              value={definition.channel_id === undefined ? '' : String(definition.channel_id)}
              aria-invalid={error?.place?.step === null && error.place.field === 'channel_id'}
              onChange={(event) => {
                const value = valueOfInput('integer', event.target.value);
                setDefinition((current) => withField(current, 'channel_id', value) as Definition);
              }}
            />
          </label>
          <h4>{text('flows.steps')}</h4>
          {steps.length === 0 && <p className="muted">{text('flows.noSteps')}</p>}
          <ol className="steps" data-testid="steps">
            {steps.map((step, index) => (
              <StepForm
                // biome-ignore lint/suspicious/noArrayIndexKey: a step's place is its identity here; `generation` renews it when steps move.
                key={`${generation}:${index}`}
                index={index}
                step={step}
                count={steps.length}
                error={stepError(index)}
                onChange={(changed) =>
                  setSteps(
                    steps.map((item, at) => (at === index ? changed : item)),
                    false,
                  )
                }
                onMove={(offset) => setSteps(moved(steps, index, offset), true)}
                onRemove={() =>
                  setSteps(
                    steps.filter((_item, at) => at !== index),
                    true,
                  )
                }
              />
            ))}
          </ol>
          <div className="inline-form add-step">
            <label>
              {text('flows.stepType')}
              <select
                name="new-step-type"
                value={newType}
                onChange={(event) => setNewType(event.target.value as StepType)}
              >
                {STEP_TYPES.map((type) => (
                  <option key={type} value={type}>
                    {type}
                  </option>
                ))}
              </select>
            </label>
            <button type="button" onClick={() => setSteps([...steps, newStep(newType, steps)], false)}>
              {text('flows.addStep')}
            </button>
          </div>
          <div className="actions">
            <button type="submit" className="primary">
              {text('flows.saveVersion')}
            </button>
          </div>
        </form>
      )}
      {flow.versions.length > 0 && (
        <p className="small muted">
          {text('flows.versions')}: {flow.versions.map((version) => `v${version.version}`).join(', ')}
        </p>
      )}
    </section>
  );
}
