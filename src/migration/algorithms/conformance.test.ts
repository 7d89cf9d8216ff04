// Every algorithm runs the same conformance suite.
import { runConformance } from './conformance.case.js';

runConformance({ name: 'stop-and-copy', migration: { algorithm: 'stop-and-copy' } });
for (const preset of ['qemu', 'xen', 'xen-legacy', 'simgrid']) {
  runConformance({ name: `precopy:${preset}`, migration: { algorithm: 'precopy', preset } });
}
runConformance({
  name: 'postcopy',
  migration: { algorithm: 'postcopy' },
  skip: {
    'failure-before-switchover-keeps-source':
      'post-copy switches over at once (a few ms); a failure after it loses the guest, which postcopy.test.ts checks',
  },
});
runConformance({ name: 'hybrid', migration: { algorithm: 'hybrid' } });
runConformance({ name: 'postcopy preempt bubble', migration: { algorithm: 'postcopy', preempt: true, prepaging: 'bubble' }, skip: { 'failure-before-switchover-keeps-source': 'post-copy switches over at once' } });
// memory reuse keeps the image on the source: every contract still holds
runConformance({ name: 'precopy:qemu + reuse keep-all', migration: { algorithm: 'precopy', reuse: 'keep-all' } });
runConformance({ name: 'hybrid + reuse drop-updated+skip-hot', migration: { algorithm: 'hybrid', reuse: 'drop-updated+skip-hot' } });
// the seed's related-work optimizations
runConformance({ name: 'precopy:xen + hot-page deferral', migration: { algorithm: 'precopy', preset: 'xen', deferHot: true } });
runConformance({ name: 'precopy:qemu + free-page hinting + dedup', migration: { algorithm: 'precopy', freePageHinting: true, dedup: true } });
runConformance({ name: 'hybrid + deferral + dedup', migration: { algorithm: 'hybrid', deferHot: { predictor: 'time-series', threshold: 1.2 }, dedup: true } });
// the operators' algorithms
runConformance({ name: 'downtime-ramp nova', migration: { algorithm: 'downtime-ramp' } });
runConformance({ name: 'downtime-ramp kubevirt', migration: { algorithm: 'downtime-ramp', downtimeRamp: 'kubevirt' } });
runConformance({ name: 'stall-detection abort', migration: { algorithm: 'stall-detection' } });
runConformance({ name: 'stall-detection postcopy', migration: { algorithm: 'stall-detection', onStall: 'postcopy', preset: 'xen' } });
