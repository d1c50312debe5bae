/**
 * `stillwater runs list|show|compare`: the run history (Delta tables in the
 * Stillwater home), for people or, with `--json`, for programs.
 */
import { type Command, InvalidArgumentError } from 'commander';
import type { RunFilter } from '../contracts/lab.js';
import type { RunRecord } from '../contracts/run-records.js';
import { compareRuns } from '../runner/compare.js';
import { resolveHome } from '../runner/home.js';
import { parseAssignments } from '../runner/params.js';
import { describeError } from '../runner/progress.js';
import { findRuns, requireRun, runHistoryAt } from '../runner/runs-query.js';

interface HomeFlags {
  home?: string;
  json?: boolean;
}

const out = (text: string): void => {
  process.stdout.write(`${text}\n`);
};
const secs = (ms: number | null) => (ms === null ? '' : `${(ms / 1000).toFixed(2)}s`);
const history = (o: HomeFlags) => runHistoryAt(resolveHome({ home: o.home }));

const RUN_STATUSES: readonly RunRecord['status'][] = ['done', 'failed', 'cancelled', 'interrupted', 'running'];

function addStatus(v: string, acc: RunRecord['status'][]): RunRecord['status'][] {
  const status = RUN_STATUSES.find((s) => s === v);
  if (!status) throw new InvalidArgumentError(`unknown run status "${v}" (one of: ${RUN_STATUSES.join(', ')})`);
  return [...acc, status];
}

export function registerRunsCommands(program: Command): void {
  const runs = program.command('runs').description('run history: list, show, compare');
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
      for (const s of steps) {
        const note = s.error ? `  ${describeError(s.error)}` : s.reason ? `  (${s.reason})` : '';
        out(`  ${s.step.padEnd(20)} ${s.status.padEnd(8)} ${secs(s.durationMs).padStart(8)}${note}`);
      }
    },
  );

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
