/**
 * What the user set in a history view (history-view.ts) — its filter, the runs ticked for
 * comparison, the run whose steps are shown, the trend's metric — as saved per notebook
 * (plugins/history.ts) and read back.
 */

/** The run statuses the history filters by. */
export const STATUSES = ['done', 'failed', 'cancelled', 'interrupted'] as const;

export interface HistoryViewState {
  /** Status filter ('' = any). */
  status: string;
  /** Parameter filter text, `NAME=VALUE …`. */
  params: string;
  /** Runs ticked for comparison. */
  selected: string[];
  /** The run whose steps are shown. */
  details: string | null;
  /** The trend chart's metric. */
  metric: string | null;
}

/** A saved state as the view can use it: what is not of the expected type (an older or damaged save) is left at its default. */
export function restoredState(saved: Partial<HistoryViewState> | undefined): HistoryViewState {
  const s = saved ?? {};
  const text = (v: unknown) => (typeof v === 'string' ? v : null);
  return {
    status: STATUSES.includes(s.status as (typeof STATUSES)[number]) ? s.status! : '',
    params: text(s.params) ?? '',
    selected: Array.isArray(s.selected) ? s.selected.filter((id): id is string => typeof id === 'string') : [],
    details: text(s.details),
    metric: text(s.metric),
  };
}
