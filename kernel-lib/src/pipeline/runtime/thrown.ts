/**
 * Stacks for thrown values that are not Errors (`throw 'a string'`, `throw { code: 1 }`).
 * V8 records no stack for them, so the compiler wraps the operand of every `throw`
 * statement in notebook code — `throw __sw_thrown(x)` — and this records where it
 * was thrown. The value itself is thrown unchanged: a `catch` sees what it always saw.
 */

/** Objects thrown by notebook code → the stack at their `throw`. */
const objectStacks = new WeakMap<object, string>();
/** Primitives cannot key a WeakMap: the latest primitive thrown, with its stack. */
let lastPrimitive: { value: unknown; stack: string } | undefined;

export function thrown<T>(value: T): T {
  if (value instanceof Error) return value;
  const holder: { stack?: string } = {};
  Error.captureStackTrace(holder, thrown);
  const stack = `thrown value${holder.stack?.slice(holder.stack.indexOf('\n')) ?? ''}`;
  if ((typeof value === 'object' && value !== null) || typeof value === 'function') objectStacks.set(value, stack);
  else lastPrimitive = { value, stack };
  return value;
}

/** The stack recorded when `value` was thrown by notebook code, if it was. */
export function stackOfThrown(value: unknown): string | undefined {
  if ((typeof value === 'object' && value !== null) || typeof value === 'function') return objectStacks.get(value);
  return lastPrimitive && Object.is(lastPrimitive.value, value) ? lastPrimitive.stack : undefined;
}
