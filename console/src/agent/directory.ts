// What the agent pages share about conversations and people: a loaded conversation, and the client's directory of
// operators, groups, skills, tags and websites, with the name an operator is shown by.
import type { ConversationView, Entry } from '../socket';
import type { PendingEntry } from './state';

/** The problem reported on a conversation (`problem` of the REST conversation). */
export interface ProblemReport {
  reported_at: string;
  reason: string;
  operator_id: number | null;
}

export interface LoadedConversation {
  view: ConversationView;
  entries: Entry[];
  pending: PendingEntry[];
  visitorTyping: boolean;
  /** Known when loaded through the REST API; the socket's live conversations do not carry it. */
  problem?: ProblemReport | null;
}

/** Who and what the console can name: operators, groups, skills, tags and websites of the client. */
export interface Directory {
  operators: {
    id: number;
    name: string;
    pseudo?: string | null;
    first_name?: string | null;
    connected?: boolean;
    roles?: string[];
    email?: string;
  }[];
  groups: { id: number; name: string }[];
  skills: { id: number; name: string }[];
  /** `colour` and `archived` come with the API's answer (the SDK snapshot does not type them yet). */
  tags: { id: number; name: string; website_id?: number[]; colour?: string | null; archived?: boolean }[];
  websites: { id: number; url: string; label?: string | null }[];
}

/** An operator's display name: pseudonym, else first name, else name. */
export function operatorName(directory: Directory, id: number | null): string | null {
  if (id === null) return null;
  const operator = directory.operators.find((candidate) => candidate.id === id);
  return operator ? operator.pseudo || operator.first_name || operator.name : null;
}
