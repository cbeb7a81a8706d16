// Loading a list from the API for the admin tabs, with reload and the error of the last action.
import { useCallback, useEffect, useState } from 'react';
import { type Api, failureId } from '../api';
import { messageOf } from '../ui';

/**
 * A list loaded from the API by `load` (give a stable function: a module constant or a useCallback), with reload and
 * the error of the last action.
 */
export function useList<T>(
  api: Api,
  load: (api: Api) => Promise<T[]>,
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
    // `tick` is read so that reload() runs the effect again.
    void tick;
    load(api)
      .then((list) => !cancelled && setRows(list))
      .catch((failure: unknown) => {
        if (cancelled) return;
        // A route this server does not have (yet): say so instead of failing.
        if (failureId(failure) === 'route_not_found') setMissing(true);
        else setError(messageOf(failure));
      });
    return () => {
      cancelled = true;
    };
  }, [api, load, tick]);
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
