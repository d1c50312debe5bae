// Runs Lakehouse.streamIngest once over a folder (built package); the kill test SIGKILLs it.
// usage: node stream-worker.mjs <lakehouse root> <input dir>
import { parseCmapss } from '@stillwater/kernel/data';
import { Lakehouse } from '@stillwater/kernel/lakehouse';

const [root, dir] = process.argv.slice(2);
process.stdout.write('ready\n');
const r = await new Lakehouse(root).streamIngest(dir, 'bronze/stream', {
  parse: parseCmapss,
  appId: 'kill-test',
  maxFilesPerBatch: 2,
  onBatch: (b) => process.stdout.write(`${JSON.stringify(b)}\n`),
});
process.stdout.write(`done ${JSON.stringify({ numFiles: r.numFiles, numRows: r.numRows })}\n`);
