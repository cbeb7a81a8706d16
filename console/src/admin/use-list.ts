// Loading a list from the API for the admin tabs, with reload and the error of the last action.
import { useCallback, useEffect, useState } from 'react';
import { type Api, ApiError } from '../api';
import { messageOf } from '../ui';

/** A list loaded from the API, with reload and the error of the last action. */
export function useList<T>(
  api: Api,
  path: string,
): {
  rows: T[] | null;
  error: string | null;
  setError: (error: string | null) => void;
  reload: () => void;
  /** Runs an admin action: clears the last error, reloads the list after it, shows its failure; true when it succeeded. */
  act: (action: () => Promise<unknown>) => Promise<boolean>;
  missing: boolean;
} {
  const [rows, setRows] = useState<T[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [missing, setMissing] = useState(false);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let cancelled = false;
    api
      .list<T>(path)
      .then((list) => !cancelled && setRows(list))
      .catch((failure: unknown) => {
        if (cancelled) return;
        // A route this server does not have (yet): say so instead of failing.
        if (failure instanceof ApiError && failure.status === 404) setMissing(true);
        else setError(messageOf(failure));
      });
    return () => {
      cancelled = true;
    };
  }, [api, path, tick]);
  const reload = useCallback(() => setTick((value) => value + 1), []);
  const act = useCallback(
    async (action: () => Promise<unknown>): Promise<boolean> => {
      setError(null);
      try {
        await action();
        reload();
        return true;
      } catch (failure) {
        setError(messageOf(failure));
        return false;
      }
    },
    [reload],
  );
  return { rows, error, setError, reload, act, missing };
}
