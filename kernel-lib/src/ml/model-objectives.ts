/**
 * What XGBoost's JSON model says about an objective, per objective: its 1.x
 * name, its parameter block, and how `base_score` is stored. The legacy binary
 * format (< 1.0) stores the base score as a margin; the JSON format stores it
 * as the objective's output (native XGBoost 1.7 applies the objective's
 * PredTransform when it converts a legacy model: sigmoid for the logistic
 * objectives, exp for the log-link ones, nothing for multi-class).
 */
import { JsonModelError } from './errors.js';

type Link = 'identity' | 'logistic' | 'log';

interface ObjectiveInfo {
  /** Name in XGBoost ≥ 1.0 JSON. */
  jsonName: string;
  link: Link;
  /** The objective's parameter block in JSON (defaults as native 1.7 writes them). */
  params: (numClass: number, maxDeltaStep: string) => Record<string, Record<string, string>>;
}

const regLoss = () => ({ reg_loss_param: { scale_pos_weight: '1' } });
const none = () => ({});

/** Keyed by the WASM build's (0.7x) objective names. */
const OBJECTIVES: Record<string, ObjectiveInfo> = {
  'binary:logistic': { jsonName: 'binary:logistic', link: 'logistic', params: regLoss },
  'binary:logitraw': { jsonName: 'binary:logitraw', link: 'identity', params: regLoss },
  'reg:logistic': { jsonName: 'reg:logistic', link: 'logistic', params: regLoss },
  'reg:linear': { jsonName: 'reg:squarederror', link: 'identity', params: regLoss },
  'reg:gamma': { jsonName: 'reg:gamma', link: 'log', params: none },
  'reg:tweedie': {
    jsonName: 'reg:tweedie',
    link: 'log',
    params: () => ({ tweedie_regression_param: { tweedie_variance_power: '1.5' } }),
  },
  'count:poisson': {
    jsonName: 'count:poisson',
    link: 'log',
    params: (_, maxDeltaStep) => ({ poisson_regression_param: { max_delta_step: maxDeltaStep } }),
  },
  'multi:softmax': {
    jsonName: 'multi:softmax',
    link: 'identity',
    params: (k) => ({ softmax_multiclass_param: { num_class: String(k) } }),
  },
  'multi:softprob': {
    jsonName: 'multi:softprob',
    link: 'identity',
    params: (k) => ({ softmax_multiclass_param: { num_class: String(k) } }),
  },
  'rank:pairwise': { jsonName: 'rank:pairwise', link: 'identity', params: rankParams },
  'rank:ndcg': { jsonName: 'rank:ndcg', link: 'identity', params: rankParams },
  'survival:cox': { jsonName: 'survival:cox', link: 'log', params: none },
};

function rankParams() {
  return { lambda_rank_param: { num_pairsample: '1', fix_list_weight: '0' } };
}

/** How `objective` (a WASM-build name) is written in JSON. */
export function objectiveToJson(objective: string, numClass: number, maxDeltaStep = '0.7'): Record<string, unknown> {
  const info = OBJECTIVES[objective];
  if (!info) throw new JsonModelError('learner.objective.name', `objective '${objective}' has no JSON form here`);
  return { name: info.jsonName, ...info.params(numClass, maxDeltaStep) };
}

/** The WASM-build objective for a JSON objective name. */
export function objectiveFromJson(jsonName: string): string {
  const found = Object.entries(OBJECTIVES).find(([, info]) => info.jsonName === jsonName);
  if (found) return found[0];
  if (OBJECTIVES[jsonName]) return jsonName; // 'reg:linear' in models from XGBoost 1.0
  throw new JsonModelError(
    'learner.objective.name',
    `objective '${jsonName}' is not one the WASM build can predict with (${Object.values(OBJECTIVES)
      .map((o) => o.jsonName)
      .join(', ')})`,
  );
}

/** JSON's base_score (objective output) from the legacy margin. */
export function baseScoreToJson(objective: string, margin: number): number {
  const link = OBJECTIVES[objective]?.link ?? 'identity';
  if (link === 'logistic') return Math.fround(1 / (1 + Math.exp(-margin)));
  if (link === 'log') return Math.fround(Math.exp(margin));
  return margin;
}

/** The legacy margin from JSON's base_score. */
export function baseScoreFromJson(objective: string, score: number): number {
  const link = OBJECTIVES[objective]?.link ?? 'identity';
  if (link === 'logistic') return Math.fround(Math.log(score / (1 - score)));
  if (link === 'log') return Math.fround(Math.log(score));
  return score;
}
