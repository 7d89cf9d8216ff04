/**
 * @module datacenter/planetlab-config
 * CloudSim's PlanetLab consolidation setup (examples/power/Constants.java, PlanetLabConstants.java):
 * 800 hosts alternating HP ProLiant ML110 G4 / G5 by id, four VM types by contiguous quarters of the
 * trace list, 300 s scheduling, one day. CloudSim's units are MB and "1 Gbit/s" = 1,000,000; here
 * memory is bytes (MB = 10^6 bytes) and bandwidth bytes/s, which gives the same migration delays.
 */
import { HP_PROLIANT_ML110_G4, HP_PROLIANT_ML110_G5 } from './power.js';
import type { ConsolidationConfig, HostType, VmType } from './types.js';

const MB = 1e6;
const MBIT_PER_S = 1e6 / 8;
const GBIT_PER_S = 1e9 / 8;

/** Seconds between consolidation steps and between trace samples. */
export const PLANETLAB_INTERVAL = 300;
/** One day, seconds. */
export const PLANETLAB_DAY = 86400;
/** CloudSim submits the workload 0.1 s after start (its minimum time between events). */
export const CLOUDSIM_START_TIME = 0.1;
/** Hosts in CloudSim's PlanetLab runs. */
export const PLANETLAB_HOSTS = 800;

/** HP ProLiant ML110 G4: 2 x 1860 MIPS, 4 GB, 1 Gbit/s. */
export const HOST_G4: HostType = { name: 'HP ProLiant ML110 G4', pes: 2, mipsPerPe: 1860, ramBytes: 4096 * MB, bandwidth: GBIT_PER_S, power: HP_PROLIANT_ML110_G4 };
/** HP ProLiant ML110 G5: 2 x 2660 MIPS, 4 GB, 1 Gbit/s. */
export const HOST_G5: HostType = { name: 'HP ProLiant ML110 G5', pes: 2, mipsPerPe: 2660, ramBytes: 4096 * MB, bandwidth: GBIT_PER_S, power: HP_PROLIANT_ML110_G5 };

/** CloudSim's four VM types (Amazon EC2-like): MIPS, RAM, 100 Mbit/s, one PE. */
export const PLANETLAB_VM_TYPES: VmType[] = [
  { name: 'high-cpu medium', mips: 2500, pes: 1, ramBytes: 870 * MB, bandwidth: 100 * MBIT_PER_S },
  { name: 'extra large', mips: 2000, pes: 1, ramBytes: 1740 * MB, bandwidth: 100 * MBIT_PER_S },
  { name: 'small', mips: 1000, pes: 1, ramBytes: 1740 * MB, bandwidth: 100 * MBIT_PER_S },
  { name: 'micro', mips: 500, pes: 1, ramBytes: 613 * MB, bandwidth: 100 * MBIT_PER_S },
];

/** Options of the PlanetLab config builder. */
export interface PlanetLabOptions {
  /** Policy name, e.g. "lr-mmt", "thr-mmt", "dvfs". */
  policy: string;
  /** Policy parameter, e.g. 1.2 for LR, 0.8 for THR. */
  parameter?: number;
  /** Number of hosts (default 800). */
  hosts?: number;
  seed?: number;
}

/** A ready CloudSim-compatible configuration for a PlanetLab day. */
export function cloudsimPlanetLabConfig(opts: PlanetLabOptions): ConsolidationConfig {
  const n = opts.hosts ?? PLANETLAB_HOSTS;
  return {
    hostTypes: [HOST_G4, HOST_G5],
    hosts: Int32Array.from({ length: n }, (_, i) => i % 2),
    vmTypes: PLANETLAB_VM_TYPES,
    policy: opts.policy,
    parameter: opts.parameter,
    schedulingInterval: PLANETLAB_INTERVAL,
    traceInterval: PLANETLAB_INTERVAL,
    simulationLimit: PLANETLAB_DAY,
    startTime: CLOUDSIM_START_TIME,
    reservationCheck: 'initial-only',
    seed: opts.seed ?? 0,
  };
}
