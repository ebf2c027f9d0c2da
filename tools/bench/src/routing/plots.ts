import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import type { RunRow } from './grid.js';

/** Renders a Vega-Lite spec to an SVG string headlessly (no browser, no canvas). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const compiled = vl.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

/**
 * One workload's picture: TTFT p90 (log scale) and prefix-cache hit rate against the request
 * rate, one line per policy, side by side.
 */
export function workloadSpec(workload: string, rows: readonly RunRow[]): TopLevelSpec {
  const values = rows.filter((r) => r.workload === workload).map((r) => ({ rate: r.rate, policy: r.policy, ttftP90: Math.max(1, r.metrics.ttftMs.p90), hitRate: 100 * r.metrics.prefixHitRate }));
  const color = { field: 'policy', type: 'nominal' as const, sort: ['random', 'round-robin', 'least-load', 'cache-aware', 'oracle'] };
  const x = { field: 'rate', type: 'quantitative' as const, title: 'request rate (req/s)' };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `${workload}: 8 simulated H100s, Llama-3.1-8B`,
    data: { values },
    hconcat: [
      {
        width: 300,
        height: 220,
        mark: { type: 'line', point: true },
        encoding: { x, y: { field: 'ttftP90', type: 'quantitative', title: 'TTFT p90 (ms, log)', scale: { type: 'log' } }, color, strokeDash: color },
      },
      {
        width: 300,
        height: 220,
        mark: { type: 'line', point: true },
        encoding: { x, y: { field: 'hitRate', type: 'quantitative', title: 'prefix-cache hit rate (% of prompt tokens)', scale: { domain: [0, 100] } }, color, strokeDash: color },
      },
    ],
  };
}
