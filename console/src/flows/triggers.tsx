// A flow's trigger in the console's forms: the choice and keywords typed, the trigger they stand for, its label.
import type { Trigger } from './commerce';
import { useFlowsText } from './strings';

/** The trigger a form's choice and keyword text stand for. */
export function triggerOf(type: string, keywords: string): Trigger {
  if (type === 'keyword')
    return {
      type: 'keyword',
      keywords: keywords
        .split(',')
        .map((word) => word.trim())
        .filter((word) => word !== ''),
    };
  return type === 'order_created' ? { type: 'order_created' } : { type: 'request' };
}

export function TriggerFields({
  type,
  keywords,
  onType,
  onKeywords,
}: {
  type: string;
  keywords: string;
  onType: (type: string) => void;
  onKeywords: (keywords: string) => void;
}) {
  const text = useFlowsText();
  return (
    <>
      <label>
        {text('flows.trigger')}
        <select name="trigger" value={type} onChange={(event) => onType(event.target.value)}>
          <option value="request">{text('flows.trigger.request')}</option>
          <option value="order_created">{text('flows.trigger.order_created')}</option>
          <option value="keyword">{text('flows.trigger.keyword')}</option>
        </select>
      </label>
      {type === 'keyword' && (
        <label>
          {text('flows.keywords')}
          <input name="keywords" value={keywords} onChange={(event) => onKeywords(event.target.value)} />
        </label>
      )}
    </>
  );
}

export function triggerLabel(trigger: Trigger, text: ReturnType<typeof useFlowsText>): string {
  const label = text(`flows.trigger.${trigger.type}`);
  return trigger.type === 'keyword' ? `${label}: ${trigger.keywords.join(', ')}` : label;
}
