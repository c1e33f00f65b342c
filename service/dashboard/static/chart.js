// A line chart drawn as inline SVG. Hand-written rather than vendored: a loss curve is a few
// polylines and axes, and any charting library would outweigh the rest of the page's bytes.

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 720;
const HEIGHT = 300;
const PAD = { left: 56, right: 16, top: 30, bottom: 36 };

function svg(tag, attributes = {}) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  return node;
}

function ticks(low, high, count) {
  if (high === low) return [low];
  const raw = (high - low) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw);
  const values = [];
  for (let v = Math.ceil(low / step) * step; v <= high + step * 1e-9; v += step) {
    values.push(Number(v.toPrecision(12)));
  }
  return values;
}

function label(value) {
  return Math.abs(value) >= 1000 || Number.isInteger(value) ? String(value) : value.toFixed(3);
}

// Draws `series` ([{key, label, color, points: [[step, value], ...], markers}]) into `box`,
// replacing what was there. Each series is one <polyline data-series=key>, one vertex a point.
export function lineChart(box, series, { xLabel = "step", readout, testId = "loss-chart" } = {}) {
  const drawn = series.filter((s) => s.points.length > 0);
  const chart = svg("svg", {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    class: "chart",
    role: "img",
    "data-testid": testId,
    "aria-label": drawn.map((s) => `${s.label}: ${s.points.length} points`).join("; ") || "no data",
  });
  box.replaceChildren(chart);
  if (drawn.length === 0) {
    chart.setAttribute("viewBox", `0 0 ${WIDTH} 40`);
    const empty = svg("text", { x: WIDTH / 2, y: 24, "text-anchor": "middle" });
    empty.textContent = "No metrics yet";
    chart.append(empty);
    return chart;
  }
  const all = drawn.flatMap((s) => s.points);
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (x0 === x1) [x0, x1] = [x0 - 1, x1 + 1];
  if (y0 === y1) [y0, y1] = [y0 - 1, y1 + 1];
  const margin = (y1 - y0) * 0.05;
  [y0, y1] = [y0 - margin, y1 + margin];
  const sx = (x) => PAD.left + ((x - x0) / (x1 - x0)) * (WIDTH - PAD.left - PAD.right);
  const sy = (y) => HEIGHT - PAD.bottom - ((y - y0) / (y1 - y0)) * (HEIGHT - PAD.top - PAD.bottom);

  const axes = svg("g", { class: "axes" });
  for (const y of ticks(y0, y1, 5)) {
    axes.append(svg("line", { x1: PAD.left, x2: WIDTH - PAD.right, y1: sy(y), y2: sy(y), class: "grid" }));
    const text = svg("text", { x: PAD.left - 6, y: sy(y) + 4, "text-anchor": "end" });
    text.textContent = label(y);
    axes.append(text);
  }
  for (const x of ticks(x0, x1, 8).filter(Number.isInteger)) {
    const text = svg("text", { x: sx(x), y: HEIGHT - PAD.bottom + 16, "text-anchor": "middle" });
    text.textContent = String(x);
    axes.append(text);
  }
  const caption = svg("text", { x: WIDTH - PAD.right, y: HEIGHT - 4, "text-anchor": "end" });
  caption.textContent = xLabel;
  axes.append(caption);
  chart.append(axes);

  drawn.forEach((s, index) => {
    const group = svg("g", { class: "series", stroke: s.color, fill: s.color });
    group.append(
      svg("polyline", {
        "data-series": s.key,
        points: s.points.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(" "),
        fill: "none",
        "stroke-width": 1.5,
      }),
    );
    if (s.markers) {
      for (const [x, y] of s.points) {
        const dot = svg("circle", { cx: sx(x), cy: sy(y), r: 3.5 });
        const title = svg("title");
        title.textContent = `${s.label} at step ${x}: ${y.toFixed(4)}`;
        dot.append(title);
        group.append(dot);
      }
    }
    const legend = svg("text", { x: PAD.left + index * 160, y: 14, stroke: "none" });
    legend.textContent = `— ${s.label}`;
    group.append(legend);
    chart.append(group);
  });

  if (readout) {
    // The values at the step under the pointer, read from the series rather than the pixels.
    chart.addEventListener("mousemove", (event) => {
      const box = chart.getBoundingClientRect();
      const x = x0 + ((event.clientX - box.left) / box.width * WIDTH - PAD.left) /
        (WIDTH - PAD.left - PAD.right) * (x1 - x0);
      const parts = drawn.map((s) => {
        const nearest = s.points.reduce((a, b) => (Math.abs(b[0] - x) < Math.abs(a[0] - x) ? b : a));
        return `${s.label} ${nearest[1].toFixed(4)} (step ${nearest[0]})`;
      });
      readout.textContent = parts.join(" · ");
    });
  }
  return chart;
}
