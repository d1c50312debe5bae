/** Types of ray-cluster.mjs (plain JS so the Ray benchmark can use it too). */
export declare const rayPython: string;

/** Why a Ray cluster cannot be started here, or undefined when it can. */
export declare function rayMissing(): string | undefined;

export interface RayCluster {
  address: string;
  tmpDir: string;
  /**
   * SIGKILLs the second node's Ray processes (its raylet and the workers under it) — not
   * the step processes those workers started: they must end on their own.
   */
  killSecondNode(): void;
  /** Pids of this cluster's processes and their descendants. */
  pids(): number[];
  stop(): Promise<void>;
}

/** A head (resource `example.com/head`) and a second node (`example.com/second`), one CPU each, on loopback, in a fresh RAY_TMPDIR. */
export declare function startRayCluster(attempts?: number): Promise<RayCluster>;
