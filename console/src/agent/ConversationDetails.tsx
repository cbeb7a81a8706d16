// The conversation's details in the side panel, loaded on demand so that the agent view's first load stays small: its
// body (ConversationDetailsBody.tsx) comes in its own chunk the first time a conversation is opened.
import { lazy, Suspense } from 'react';
import type { Api } from '../api';
import type { ConversationView } from '../socket';
import type { Directory } from './directory';

const ConversationDetailsBody = lazy(() =>
  import('./ConversationDetailsBody').then((module) => ({ default: module.ConversationDetailsBody })),
);

export function ConversationDetails(props: {
  api: Api;
  conversationId: number;
  live: ConversationView | null;
  tags: Directory['tags'];
}) {
  return (
    <Suspense fallback={null}>
      <ConversationDetailsBody {...props} />
    </Suspense>
  );
}
