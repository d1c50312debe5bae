// @vitest-environment jsdom
/// <reference lib="dom" />
import './setup.js';
import { NBTestUtils } from '@jupyterlab/notebook/lib/testutils.js';
import { describe, expect, it } from 'vitest';
import { isStillwaterNotebook } from '../../../extension/src/model/registry.js';

describe('which notebooks Stillwater decorates', () => {
  it('tslab / TypeScript notebooks and notebooks with metadata.stillwater; not others', async () => {
    const context = await NBTestUtils.createMockContext();
    const panel = NBTestUtils.createNotebookPanel(context);
    const model = context.model;
    model.setMetadata('kernelspec', { name: 'python3', display_name: 'Python 3', language: 'python' });
    expect(isStillwaterNotebook(panel)).toBe(false);
    model.setMetadata('kernelspec', { name: 'tslab', display_name: 'TypeScript', language: 'typescript' });
    expect(isStillwaterNotebook(panel)).toBe(true);
    model.setMetadata('kernelspec', { name: 'python3', display_name: 'Python 3', language: 'python' });
    model.setMetadata('stillwater', { name: 'anything' });
    expect(isStillwaterNotebook(panel)).toBe(true);
    panel.dispose();
    context.dispose();
  });
});
