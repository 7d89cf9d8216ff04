/**
 * @module scenario/default
 * The built-in scenario that `lmsim compare` (and `npm start`) runs when given no file: one busy
 * 4 GiB VM over 1 Gbit/s; pre-copy, post-copy, hybrid, OpenStack's downtime ramp and stop-and-copy on
 * the same workload and seed.
 */
import { ScenarioInput } from './schema.js';

export const defaultScenario: ScenarioInput = {
  name: 'default: one busy 4 GiB VM, pre-copy vs post-copy vs hybrid',
  seed: 42,
  network: { bandwidth: '1Gbit/s', latency: '0.2ms' },
  hosts: [
    { name: 'A', memory: '64GiB' },
    { name: 'B', memory: '64GiB' },
  ],
  vms: [
    {
      name: 'db',
      host: 'A',
      memory: '4GiB',
      resident: '3GiB',
      workload: { kind: 'hotcold', writeRate: '20000/s', readRate: '20000/s', workingSet: '3GiB', hotSet: '256MiB', hotShare: 0.9 },
    },
  ],
  migrations: [{ vm: 'db', to: 'B', at: '10s', timeout: '5min' }],
  compare: [
    { algorithm: 'precopy', preset: 'qemu' },
    { algorithm: 'precopy', preset: 'xen' },
    { algorithm: 'postcopy' },
    { label: 'postcopy preempt', algorithm: 'postcopy', preempt: true },
    { algorithm: 'hybrid' },
    { label: 'downtime-ramp nova', algorithm: 'downtime-ramp' },
    { algorithm: 'stop-and-copy' },
  ],
};
