/**
 * `stillwater runs list|show|compare|lineage`: the run history (Delta tables in the
 * Stillwater home), for people or, with `--json`, for programs.
 */
import path from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import type { RunFilter } from '../contracts/lab.js';
import type { RunRecord, StepExecutionRecord } from '../contracts/run-records.js';
import { compareRuns } from '../runner/compare.js';
import { resolveHome } from '../runner/home.js';
import { parseAssignments } from '../runner/params.js';
import { describeError } from '../runner/progress.js';
import { parseTableRef, tableVersionLineage } from '../runner/lineage-query.js';
import { findRuns, requireRun, runHistoryAt } from '../runner/runs-query.js';

interface HomeFlags {
  home?: string;
  json?: boolean;
}

const out = (text: string): void => {
  process.stdout.write(`${text}\n`);
};
const secs = (ms: number | null) => (ms === null ? '' : `${(ms / 1000).toFixed(2)}s`);
const short = (hash: string) => `sha256:${hash.slice(0, 12)}`;
/** A path under the working directory relative to it, others as they are. */
const shownPath = (p: string) => {
  const rel = path.relative(process.cwd(), p);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : p;
};

/** `runs show`'s lineage lines of one step: tables read and written, artifacts in and out, reports. */
function stepLineageLines(s: StepExecutionRecord, producer: (hash: string) => string | undefined): string[] {
  const lines: string[] = [];
  for (const t of s.lineage?.tablesRead ?? []) lines.push(`read   ${shownPath(t.table)}@${t.version}`);
  for (const t of s.lineage?.tablesWritten ?? []) lines.push(`wrote  ${shownPath(t.table)}@${t.version}`);
  for (const [name, hash] of Object.entries(s.inputs)) {
    const from = producer(hash);
    lines.push(`in     ${name} ${short(hash)}${from && from !== s.step ? ` from ${from}` : ''}`);
  }
  for (const [name, hash] of Object.entries(s.outputs)) lines.push(`out    ${name} ${short(hash)}`);
  for (const a of s.lineage?.runArtifacts ?? []) lines.push(`report ${a.path} ${short(a.sha256)}`);
  return lines;
}
const history = (o: HomeFlags) => runHistoryAt(resolveHome({ home: o.home }));

const RUN_STATUSES: readonly RunRecord['status'][] = ['done', 'failed', 'cancelled', 'interrupted', 'running'];

function addStatus(v: string, acc: RunRecord['status'][]): RunRecord['status'][] {
  const status = RUN_STATUSES.find((s) => s === v);
  if (!status) throw new InvalidArgumentError(`unknown run status "${v}" (one of: ${RUN_STATUSES.join(', ')})`);
  return [...acc, status];
}

export function registerRunsCommands(program: Command): void {
  const runs = program.command('runs').description('run history: list, show, compare, lineage');
  const common = (c: Command) =>
    c
      .option('--home <dir>', 'Stillwater home (default: $STILLWATER_HOME, else ./.stillwater)')
      .option('--json', 'print JSON');

  common(runs.command('list').description('runs, newest first'))
    .option('--pipeline <name>', 'only runs of this pipeline')
    .option('--status <status>', `only runs that ended so (repeatable: ${RUN_STATUSES.join(', ')})`, addStatus, [])
    .option(
      '--param <NAME=VALUE>',
      'only runs with this parameter value (repeatable)',
      (v: string, acc: string[]) => [...acc, v],
      [],
    )
    .action(async (o: HomeFlags & { pipeline?: string; status: RunRecord['status'][]; param: string[] }) => {
      const filter: RunFilter = { status: o.status, params: parseAssignments(o.param) };
      if (o.pipeline !== undefined) filter.pipeline = o.pipeline;
      const all = await findRuns(history(o), filter);
      if (o.json) return out(JSON.stringify(all));
      if (all.length === 0) return out('no runs');
      for (const r of all) {
        out(`${r.runId}  ${r.status.padEnd(11)} ${r.pipeline}  ${r.startedAt}  ${secs(r.durationMs)}`);
      }
    });

  common(runs.command('show <run-id>').description('one run: parameters, metrics and every step execution')).action(
    async (id: string, o: HomeFlags) => {
      const h = history(o);
      const run = await requireRun(h, id);
      const steps = await h.stepExecutions(id);
      if (o.json) return out(JSON.stringify({ run, steps }));
      out(`run ${run.runId}: ${run.status} · pipeline ${run.pipeline} · ${run.startedAt} · ${secs(run.durationMs)}`);
      if (run.resumeOf) out(`resumes ${run.resumeOf}`);
      out(`params: ${JSON.stringify(run.params)}`);
      out(`metrics: ${JSON.stringify(run.metrics)}`);
      const producer = (hash: string) => steps.find((o) => Object.values(o.outputs).includes(hash))?.step;
      for (const s of steps) {
        const note = s.error ? `  ${describeError(s.error)}` : s.reason ? `  (${s.reason})` : '';
        out(`  ${s.step.padEnd(20)} ${s.status.padEnd(8)} ${secs(s.durationMs).padStart(8)}${note}`);
        for (const line of stepLineageLines(s, producer)) out(`      ${line}`);
      }
    },
  );

  common(
    runs
      .command('lineage <table>')
      .description('which run and step wrote a table version (TABLE[@VERSION], default latest), from which inputs'),
  ).action(async (ref: string, o: HomeFlags) => {
    const { table, version } = parseTableRef(ref, process.cwd());
    const l = await tableVersionLineage(history(o), table, version);
    if (o.json) return out(JSON.stringify(l));
    out(`${shownPath(l.table)}@${l.version}: ${l.operation ?? 'commit'} at ${l.committedAt}`);
    if (!l.writtenBy) return out('not written by a Stillwater run');
    const nb = l.writtenBy.notebook ? ` (notebook ${l.writtenBy.notebook})` : '';
    out(`written by run ${l.writtenBy.runId}, step ${l.writtenBy.step}${nb}`);
    if (l.run) out(`run ${l.run.runId}: ${l.run.status} · pipeline ${l.run.pipeline} · ${l.run.startedAt}`);
    if (!l.inputs) return out("(that run is not in this home's history: its inputs are unknown here)");
    out('from:');
    for (const t of l.inputs.tables) out(`  table    ${shownPath(t.table)}@${t.version}`);
    for (const a of l.inputs.artifacts) {
      out(`  input    ${a.name} ${short(a.sha256)}${a.fromStep ? ` from step ${a.fromStep}` : ''}`);
    }
    for (const f of l.inputs.files)
      out(`  file     ${shownPath(f.path)} ${f.sha256 ? short(f.sha256) : '(changed while read)'}`);
    if (Object.keys(l.inputs.params).length > 0) out(`  params   ${JSON.stringify(l.inputs.params)}`);
  });

  common(runs.command('compare <a> <b>').description('parameter and metric differences between two runs')).action(
    async (a: string, b: string, o: HomeFlags) => {
      const h = history(o);
      const c = compareRuns(await requireRun(h, a), await requireRun(h, b));
      if (o.json) return out(JSON.stringify(c));
      out(`compare ${a} → ${b}${c.samePipeline ? '' : ' (different pipelines)'}`);
      out('parameters:');
      for (const p of c.params)
        out(`  ${p.changed ? '*' : ' '} ${p.name}: ${JSON.stringify(p.a)} → ${JSON.stringify(p.b)}`);
      out('metrics:');
      for (const m of c.metrics) {
        out(
          `    ${m.name}: ${m.a ?? '-'} → ${m.b ?? '-'}${m.delta !== null ? ` (${m.delta >= 0 ? '+' : ''}${m.delta})` : ''}`,
        );
      }
    },
  );
}
