/**
 * Runs Stillwater snippets in a notebook's own kernel (Kale's approach): one execute
 * request per action, not stored in history, whose IOPub messages go to this future
 * only — so nothing lands in the notebook's outputs and the file is never modified.
 */
import type { Kernel, KernelMessage } from '@jupyterlab/services';
import { readIOPub, type SnippetOutput } from './events.js';

export interface SnippetResult {
  status: 'ok' | 'error' | 'abort';
  /** The value the snippet displayed under the result MIME type, if any. */
  result: unknown;
  /** The kernel's error, when the snippet threw. */
  error: { ename: string; evalue: string; traceback: string[] } | null;
  /** Text the snippet printed (compiler warnings, runner chatter). */
  stdout: string;
  stderr: string;
}

/** Executes `code` and calls `onOutput` for each IOPub output as it arrives. */
export async function executeSnippet(
  kernel: Kernel.IKernelConnection,
  code: string,
  onOutput: (output: SnippetOutput) => void = () => {},
): Promise<SnippetResult> {
  const result: SnippetResult = { status: 'ok', result: undefined, error: null, stdout: '', stderr: '' };
  const future = kernel.requestExecute({
    code,
    silent: false, // tslab ignores `silent`; outputs reach only this future either way
    store_history: false,
    allow_stdin: false,
    stop_on_error: false,
  });
  future.onIOPub = (msg: KernelMessage.IIOPubMessage) => {
    const out = readIOPub(msg);
    if (!out) return;
    if (out.kind === 'result') result.result = out.value;
    else if (out.kind === 'stream') result[out.name] += out.text;
    else if (out.kind === 'error') result.error = { ename: out.ename, evalue: out.evalue, traceback: out.traceback };
    onOutput(out);
  };
  const reply = await future.done;
  const content = reply.content as KernelMessage.IExecuteReplyMsg['content'];
  result.status = content.status === 'ok' ? 'ok' : content.status === 'abort' ? 'abort' : 'error';
  if (content.status === 'error' && !result.error) {
    result.error = { ename: content.ename, evalue: content.evalue, traceback: content.traceback };
  }
  return result;
}

/** The error's readable text (tslab puts the message in evalue, ANSI colours in tracebacks). */
export function errorText(error: { ename: string; evalue: string; traceback: string[] }): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: strips ANSI colour codes
  const strip = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '');
  const text = error.evalue || (error.traceback ?? []).map(strip).join('\n');
  return strip(text ?? '') || error.ename || 'error';
}
