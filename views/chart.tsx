// A small server-rendered SVG line chart of hit counters over time (no script, no library).
export interface Series {
  name: string;
  /** [epoch ms, value] in time order. */
  points: [number, number][];
}

const palette = ['#0069d6', '#46a546', '#f89406', '#c43c35', '#7a43b6', '#1b9aaa', '#8a6d3b', '#555'];

export function CounterChart({ series, width = 560, height = 180 }: { series: Series[]; width?: number; height?: number }) {
  const all = series.flatMap((s) => s.points);
  if (all.length < 2) return <p class="muted">The chart fills in as the page refreshes (every 5 seconds).</p>;
  const pad = { l: 44, r: 8, t: 8, b: 18 };
  const t0 = Math.min(...all.map((p) => p[0]));
  const t1 = Math.max(...all.map((p) => p[0]));
  const vmax = Math.max(1, ...all.map((p) => p[1]));
  const x = (t: number) => pad.l + ((t - t0) / Math.max(1, t1 - t0)) * (width - pad.l - pad.r);
  const y = (v: number) => height - pad.b - (v / vmax) * (height - pad.t - pad.b);
  const secs = Math.round((t1 - t0) / 1000);
  return (
    <figure class="chart-fig">
      <svg class="chart" viewBox={`0 0 ${width} ${height}`} role="img" aria-label="Hit counters over time">
        <line x1={pad.l} y1={y(0)} x2={width - pad.r} y2={y(0)} stroke="#ccc" />
        <line x1={pad.l} y1={y(vmax)} x2={width - pad.r} y2={y(vmax)} stroke="#eee" />
        <text x={pad.l - 4} y={y(vmax) + 3} text-anchor="end">
          {vmax}
        </text>
        <text x={pad.l - 4} y={y(0) + 3} text-anchor="end">
          0
        </text>
        <text x={pad.l} y={height - 4}>
          −{secs}s
        </text>
        <text x={width - pad.r} y={height - 4} text-anchor="end">
          now
        </text>
        {series.map((s, i) => (
          <polyline
            fill="none"
            stroke={palette[i % palette.length]}
            stroke-width="2"
            points={s.points.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(' ')}
          />
        ))}
      </svg>
      <figcaption class="legend">
        {series.map((s, i) => (
          <span>
            <svg class="swatch" viewBox="0 0 10 10" aria-hidden="true"><rect width="10" height="10" rx="2" fill={palette[i % palette.length]} /></svg>
            {s.name}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
