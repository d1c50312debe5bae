/**
 * The one snippet the extension executes in the notebook's tslab kernel: it hands a
 * request to `@stillwater/kernel/lab-api`, where the work is compiled, tested TypeScript.
 * The request is typed by `@stillwater/kernel/contracts`, which the lab API is compiled
 * against too. The block (`{ … }`) lets tslab await at top level and keeps the user's
 * namespace clean; the module is imported through a string variable so tslab's type
 * checker does not load the kernel's declarations on every request.
 */
import type { LabRequest } from '@stillwater/kernel/contracts';

export const LAB_API_MODULE = '@stillwater/kernel/lab-api';

export function labSnippet(request: LabRequest): string {
  return [
    '{',
    `const __swLabApi: string = ${JSON.stringify(LAB_API_MODULE)};`,
    'const __swLab: any = await import(__swLabApi);',
    `const { display: __swDisplay } = await import('tslab');`,
    `await __swLab.handleLabRequest(${JSON.stringify(request)}, __swDisplay);`,
    '}',
  ].join('\n');
}
