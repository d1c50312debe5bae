/**
 * How answers leave the kernel: tslab's `display.raw` puts each value on IOPub as a
 * display message under one of the two MIME types of the lab contract, on the request's
 * own future — never in the notebook's outputs.
 */
import type { LabOutcome, ResultMime, RunEventMime } from '../contracts/lab.js';
import type { RunEvent } from '../contracts/run-events.js';

export const RUN_EVENT_MIME: RunEventMime = 'application/vnd.stillwater.run-event+json';
export const RESULT_MIME: ResultMime = 'application/vnd.stillwater.result+json';

/** The part of tslab's `display` the lab API uses. */
export interface LabDisplay {
  raw(mime: string, data: string): void;
}

export const showOutcome = (display: LabDisplay, outcome: LabOutcome): void =>
  display.raw(RESULT_MIME, JSON.stringify(outcome));

export const showEvent = (display: LabDisplay, event: RunEvent): void =>
  display.raw(RUN_EVENT_MIME, JSON.stringify(event));
