/**
 * Every strategy's answer to a task that only fails: a generation in which no evaluation was usable teaches
 * nothing and leaves the search where it was, and after `maxFailedGenerations` such generations in a row the
 * strategy stops with the reason `{ noSuccessfulEvaluations: maxFailedGenerations }`, so a broken task ends
 * with a reason that says so instead of running out the budget (or, for CMA-ES, running forever).
 */
import { numberParam, positiveInteger } from './params.js';
import type { StopReasons } from '../src/core/types.js';

/** The stop reason's key. */
export const NO_SUCCESS = 'noSuccessfulEvaluations';

/** Default of the `maxFailedGenerations` parameter of every strategy. */
export const DEFAULT_MAX_FAILED_GENERATIONS = 10;

/** The `maxFailedGenerations` parameter as each strategy reads it (a positive integer, default 10). */
export function maxFailedGenerationsParam(params: Record<string, unknown>, who: string): number {
  return numberParam(params, 'maxFailedGenerations', DEFAULT_MAX_FAILED_GENERATIONS, positiveInteger, 'a positive integer (generations in a row without a usable evaluation)', who);
}

/** The count of failed generations in a row after one more generation. */
export function failedInRowAfter(failedInRow: number, usable: boolean): number {
  return usable ? 0 : failedInRow + 1;
}

/** `{ noSuccessfulEvaluations: max }` once `failedInRow` reaches `max`, else {}. */
export function failureStop(failedInRow: number, max: number): StopReasons {
  return failedInRow >= max ? { [NO_SUCCESS]: max } : {};
}
