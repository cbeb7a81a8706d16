// A flow's trigger in the console's forms: the fields typed (a draft), the trigger they stand for, its label.
import type { Trigger } from './commerce';
import { useFlowsText } from './strings';

/** What the trigger fields hold, as typed. */
export interface TriggerDraft {
  type: string;
  keywords: string;
  /** A schedule: 'every' N minutes or daily 'at' a Europe/Rome time. */
  schedule: 'every' | 'at';
  everyMinutes: string;
  at: string;
  userKey: string;
  eventTypes: string;
}

export function draftOf(trigger: Trigger | undefined): TriggerDraft {
  const draft: TriggerDraft = {
    type: trigger?.type ?? 'request',
    keywords: '',
    schedule: 'every',
    everyMinutes: '60',
    at: '09:00',
    userKey: '',
    eventTypes: '',
  };
  if (trigger?.type === 'keyword') draft.keywords = trigger.keywords.join(', ');
  if (trigger?.type === 'schedule') {
    draft.schedule = trigger.at === undefined ? 'every' : 'at';
    draft.everyMinutes = String(trigger.every_minutes ?? 60);
    draft.at = trigger.at ?? '09:00';
    draft.userKey = trigger.user_key;
  }
  if (trigger?.type === 'event') {
    draft.eventTypes = trigger.event_types.join(', ');
    draft.userKey = trigger.user_key ?? '';
  }
  return draft;
}

const list = (value: string) =>
  value
    .split(',')
    .map((word) => word.trim())
    .filter((word) => word !== '');

/** The trigger a draft stands for (the server checks it and names the field it refuses). */
export function triggerOf(draft: TriggerDraft): Trigger {
  switch (draft.type) {
    case 'keyword':
      return { type: 'keyword', keywords: list(draft.keywords) };
    case 'order_created':
      return { type: 'order_created' };
    case 'schedule':
      return draft.schedule === 'at'
        ? { type: 'schedule', at: draft.at, user_key: draft.userKey.trim() }
        : { type: 'schedule', every_minutes: Number(draft.everyMinutes), user_key: draft.userKey.trim() };
    case 'event':
      return {
        type: 'event',
        event_types: list(draft.eventTypes),
        ...(draft.userKey.trim() !== '' && { user_key: draft.userKey.trim() }),
      };
    default:
      return { type: 'request' };
  }
}

export function TriggerFields({ draft, onChange }: { draft: TriggerDraft; onChange: (draft: TriggerDraft) => void }) {
  const text = useFlowsText();
  const set = (change: Partial<TriggerDraft>) => onChange({ ...draft, ...change });
  return (
    <>
      <label>
        {text('flows.trigger')}
        <select name="trigger" value={draft.type} onChange={(event) => set({ type: event.target.value })}>
          <option value="request">{text('flows.trigger.request')}</option>
          <option value="order_created">{text('flows.trigger.order_created')}</option>
          <option value="keyword">{text('flows.trigger.keyword')}</option>
          <option value="schedule">{text('flows.trigger.schedule')}</option>
          <option value="event">{text('flows.trigger.event')}</option>
        </select>
      </label>
      {draft.type === 'keyword' && (
        <label>
          {text('flows.keywords')}
          <input name="keywords" value={draft.keywords} onChange={(event) => set({ keywords: event.target.value })} />
        </label>
      )}
      {draft.type === 'schedule' && (
        <>
          <label>
            {text('flows.schedule')}
            <select
              name="schedule"
              value={draft.schedule}
              onChange={(event) => set({ schedule: event.target.value === 'at' ? 'at' : 'every' })}
            >
              <option value="every">{text('flows.schedule.every')}</option>
              <option value="at">{text('flows.schedule.at')}</option>
            </select>
          </label>
          {draft.schedule === 'every' ? (
            <label>
              {text('flows.everyMinutes')}
              <input
                name="every-minutes"
                type="number"
                min={1}
                required
                value={draft.everyMinutes}
                onChange={(event) => set({ everyMinutes: event.target.value })}
              />
            </label>
          ) : (
            <label>
              {text('flows.at')}
              <input
                name="at"
                type="time"
                required
                value={draft.at}
                onChange={(event) => set({ at: event.target.value })}
              />
            </label>
          )}
        </>
      )}
      {draft.type === 'event' && (
        <label>
          {text('flows.eventTypes')}
          <input
            name="event-types"
            required
            placeholder="conversation.closed"
            value={draft.eventTypes}
            onChange={(event) => set({ eventTypes: event.target.value })}
          />
        </label>
      )}
      {(draft.type === 'schedule' || draft.type === 'event') && (
        <label>
          {text(draft.type === 'schedule' ? 'flows.userKey' : 'flows.userKeyTemplate')}
          <input
            name="user-key"
            required={draft.type === 'schedule'}
            value={draft.userKey}
            onChange={(event) => set({ userKey: event.target.value })}
          />
        </label>
      )}
    </>
  );
}

export function triggerLabel(trigger: Trigger, text: ReturnType<typeof useFlowsText>): string {
  const label = text(`flows.trigger.${trigger.type}`);
  switch (trigger.type) {
    case 'keyword':
      return `${label}: ${trigger.keywords.join(', ')}`;
    case 'schedule':
      return `${label}: ${
        trigger.at === undefined
          ? text('flows.everyLabel', { minutes: trigger.every_minutes ?? 60 })
          : text('flows.atLabel', { at: trigger.at })
      }`;
    case 'event':
      return `${label}: ${trigger.event_types.join(', ')}`;
    default:
      return label;
  }
}
