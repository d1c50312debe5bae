/**
 * Typed errors of the local runner. Each names the step, parameter, run or
 * artifact it is about, so the CLI can print it as one actionable line.
 */
export class RunnerError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The pipeline directory, spec or notebook given to the runner cannot be used. */
export class PipelineLoadError extends RunnerError {}

/** A `pipeline.json` (or spec object) does not match `schema/pipeline.schema.json`. */
export class InvalidSpecError extends PipelineLoadError {
  constructor(
    readonly where: string,
    readonly problems: string[],
  ) {
    super(
      `${where}: not a valid pipeline spec: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? `; and ${problems.length - 5} more` : ''}`,
    );
  }
}

/** A `--param NAME=VALUE` is unknown or does not parse as the parameter's declared type. */
export class ParameterError extends RunnerError {
  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super(message);
  }
}

/** The Stillwater home (`--home`, `$STILLWATER_HOME`) cannot hold runner state: it is a file. */
export class HomeError extends RunnerError {}

/** `--from`, `--only` or `--resume` cannot be honoured (unknown step, missing inputs, unknown run). */
export class SelectionError extends RunnerError {}

/** An artifact the run needs is not (or no longer) in the artifact store. */
export class ArtifactNotFoundError extends RunnerError {
  constructor(readonly hash: string) {
    super(`artifact ${hash} is not in the artifact store`);
  }
}

/** A run id given to `runs show`, `runs compare` or `--resume` is not in the run history. */
export class RunNotFoundError extends RunnerError {
  constructor(readonly runId: string) {
    super(`no run with id ${runId} in the run history`);
  }
}

/** The run finished but its record could not be appended to the history tables. */
export class HistoryWriteError extends RunnerError {}

/** A step exited successfully without writing an output the pipeline declares. */
export class MissingOutputError extends RunnerError {}

/** `runs lineage TABLE[@VERSION]`: the reference is malformed or names no version of the table. */
export class LineageQueryError extends RunnerError {}
