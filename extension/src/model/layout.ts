/**
 * DAG layout with dagre (a layered, Sugiyama-style layout): node boxes sized to their
 * labels, ranked top to bottom to fit a sidebar.
 */
import { Graph, layout } from '@dagrejs/dagre';
import type { StepNode } from './types.js';

export interface LaidOutNode {
  name: string;
  x: number;
  y: number;
  width: number;
  height: number;
}
export interface LaidOutEdge {
  from: string;
  to: string;
  points: { x: number; y: number }[];
}
export interface DagLayout {
  width: number;
  height: number;
  nodes: LaidOutNode[];
  edges: LaidOutEdge[];
}

const NODE_HEIGHT = 40;
const CHAR_WIDTH = 7.5;
const MIN_WIDTH = 96;

export function layoutDag(steps: readonly Pick<StepNode, 'name' | 'deps'>[]): DagLayout {
  const g = new Graph();
  g.setGraph({ rankdir: 'TB', nodesep: 24, ranksep: 36, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  const names = new Set(steps.map((s) => s.name));
  for (const s of steps) {
    g.setNode(s.name, { width: Math.max(MIN_WIDTH, s.name.length * CHAR_WIDTH + 28), height: NODE_HEIGHT });
  }
  for (const s of steps) {
    // Edges to undefined steps are diagnostics, not boxes; self edges are errors too.
    for (const d of s.deps) if (names.has(d) && d !== s.name) g.setEdge(d, s.name);
  }
  layout(g);
  const graph = g.graph() as { width?: number; height?: number };
  return {
    width: graph.width ?? 0,
    height: graph.height ?? 0,
    nodes: g.nodes().map((name: string) => {
      const n = g.node(name) as { x: number; y: number; width: number; height: number };
      return { name, x: n.x, y: n.y, width: n.width, height: n.height };
    }),
    edges: g.edges().map((e: { v: string; w: string }) => ({
      from: e.v,
      to: e.w,
      points: ((g.edge(e) as { points?: { x: number; y: number }[] }).points ?? []).map((p) => ({ x: p.x, y: p.y })),
    })),
  };
}
