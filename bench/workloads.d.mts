/** Types of what bench/run.ts reads from workloads.mjs (the workloads themselves are plain JS). */

export type Kind = 'rate' | 'memory' | 'overhead' | 'perItem';

export interface Workload {
  readonly id: string;
  readonly title: string;
  readonly kind: Kind;
  /** `--only <group>` selects every workload of the group. */
  readonly group?: string;
  readonly unit: string;
  readonly full: Readonly<Record<string, number>>;
  readonly quick: Readonly<Record<string, number>>;
}

export declare const WORKLOADS: readonly Workload[];
export declare const WORKLOAD_IDS: readonly string[];
export declare function workload(id: string): Workload;
