/** Types of what bench/run.ts reads from workloads.mjs (the workloads themselves are plain JS). */

export type Kind = 'rate' | 'memory' | 'overhead';

export interface Workload {
  readonly id: string;
  readonly title: string;
  readonly kind: Kind;
  readonly unit: string;
  readonly full: Readonly<Record<string, number>>;
  readonly quick: Readonly<Record<string, number>>;
}

export declare const WORKLOADS: readonly Workload[];
export declare const WORKLOAD_IDS: readonly string[];
export declare function workload(id: string): Workload;
