import { expect, test } from 'vitest';
import { alertsAt, thresholdSteps } from '../../src/lib/charts';

const data = (counts: number[]) => ({ groups: counts.map((count, i) => ({ account: `a${i}`, bin: 'b', count })), timeline: [], sliceTicks: 1n });

test('alerts per threshold: the step points and any threshold between them', () => {
  const steps = thresholdSteps(data([4, 12, 4, 18, 1]));
  expect(steps).toEqual([{ threshold: 1, alerts: 5 }, { threshold: 2, alerts: 4 }, { threshold: 5, alerts: 2 }, { threshold: 13, alerts: 1 }, { threshold: 19, alerts: 0 }]);
  expect([1, 2, 4, 5, 10, 12, 13, 18, 19, 500].map((t) => alertsAt(steps, t))).toEqual([5, 4, 4, 2, 2, 2, 1, 1, 0, 0]);
});

test('a huge count does not make the steps huge', () => {
  const counts = Array.from({ length: 5000 }, (_, i) => (i === 0 ? 200_000 : (i % 40) + 1));
  const steps = thresholdSteps(data(counts));
  expect(steps.length).toBeLessThanOrEqual(42);
  expect(alertsAt(steps, 100_000)).toBe(1);
});
