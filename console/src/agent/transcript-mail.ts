// Transcript by e-mail through /api/2/conversation/{id}/transcript, with the console session through the SDK client:
// failures are CauserieErrors with the API's message, error id and field, like every other call of the console.
import { type Api, dataOf } from '../api';

export type TranscriptStatus = 'queued' | 'sent' | 'failed';

export interface TranscriptRequest {
  id: number;
  email: string;
  locale: 'en' | 'fr';
  status: TranscriptStatus;
  attempts: number;
  error: string | null;
  created_at: string;
  sent_at: string | null;
  next_attempt_at: string | null;
}

export interface TranscriptRequests {
  /** Whether the server can send mail at all (SMTP_URL set). */
  mail_configured: boolean;
  requests: TranscriptRequest[];
}

/** GET: the conversation's transcript mails, newest first, and whether mail is configured. */
export function loadTranscriptRequests(api: Api, conversationId: number): Promise<TranscriptRequests> {
  return dataOf(api.GET('/api/2/conversation/{id}/transcript', { params: { path: { id: conversationId } } }));
}

/** POST: queues the transcript for `email` in `locale`; answers the queued request. */
export function mailTranscript(
  api: Api,
  conversationId: number,
  body: { email: string; locale: 'en' | 'fr' },
): Promise<TranscriptRequest> {
  return dataOf(api.POST('/api/2/conversation/{id}/transcript', { params: { path: { id: conversationId } }, body }));
}
