// The sync-run history as inline SVG: bars for records, dots on a line for duration.
import { formatDate, formatDuration, formatNumber, h, humanize, svg } from "./dom.js";

const WIDTH = 720;
const HEIGHT = 240;
const PAD = { top: 20, right: 56, bottom: 36, left: 56 };

function niceMax(value) {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

export function runDuration(run) {
  if (!run.finishedAt) return null;
  return new Date(run.finishedAt).getTime() - new Date(run.startedAt).getTime();
}

// `runs` newest first, as the API lists them; drawn oldest to newest, left to right.
export function runChart(runs, { id = "run-chart" } = {}) {
  const ordered = [...runs].reverse();
  const titleId = `${id}-title`;
  const descId = `${id}-desc`;
  const records = ordered.map((r) => r.recordsFetched);
  const durations = ordered.map((r) => runDuration(r) ?? 0);
  const maxRecords = niceMax(Math.max(0, ...records));
  const maxDuration = niceMax(Math.max(0, ...durations));
  const innerW = WIDTH - PAD.left - PAD.right;
  const innerH = HEIGHT - PAD.top - PAD.bottom;
  const slot = innerW / Math.max(ordered.length, 1);
  const barW = Math.max(4, Math.min(36, slot * 0.6));
  const x = (i) => PAD.left + slot * i + slot / 2;
  const yRecords = (v) => PAD.top + innerH - (v / maxRecords) * innerH;
  const yDuration = (v) => PAD.top + innerH - (v / maxDuration) * innerH;
  const failed = ordered.filter((r) => r.state === "FAILED").length;
  const summary = ordered.length
    ? `${ordered.length} runs from ${formatDate(ordered[0].startedAt)} to ${formatDate(
        ordered[ordered.length - 1].startedAt,
      )}; up to ${formatNumber(Math.max(...records))} records and ${formatDuration(
        Math.max(...durations),
      )} per run; ${failed} failed.`
    : "No sync runs yet.";

  const grid = [];
  for (let i = 0; i <= 4; i += 1) {
    const y = PAD.top + (innerH * i) / 4;
    grid.push(svg("line", { x1: PAD.left, x2: WIDTH - PAD.right, y1: y, y2: y, class: "grid" }));
    grid.push(
      svg("text", { x: PAD.left - 8, y: y + 4, class: "axis axis-left", text: formatNumber((maxRecords * (4 - i)) / 4) }),
    );
    grid.push(
      svg("text", {
        x: WIDTH - PAD.right + 8,
        y: y + 4,
        class: "axis axis-right",
        text: formatDuration((maxDuration * (4 - i)) / 4),
      }),
    );
  }
  const bars = ordered.map((run, i) =>
    svg(
      "rect",
      {
        x: x(i) - barW / 2,
        y: yRecords(run.recordsFetched),
        width: barW,
        height: Math.max(run.recordsFetched ? 1 : 0, PAD.top + innerH - yRecords(run.recordsFetched)),
        rx: 3,
        class: `bar bar-${run.state.toLowerCase()}`,
      },
      svg("title", {
        text: `${formatDate(run.startedAt)}: ${humanize(run.state)}, ${formatNumber(run.recordsFetched)} records, ${formatDuration(runDuration(run)) || "running"}`,
      }),
    ),
  );
  const failMarks = ordered
    .map((run, i) =>
      run.state === "FAILED"
        ? svg("text", { x: x(i), y: PAD.top + innerH - 6, class: "fail-mark", text: "✕" })
        : null,
    )
    .filter(Boolean);
  // a run still going has no duration yet: no dot for it
  const timed = ordered.map((run, i) => [i, runDuration(run)]).filter(([, ms]) => ms !== null);
  const points = timed.map(([i, ms]) => `${x(i)},${yDuration(ms)}`).join(" ");
  const line = timed.length > 1 ? svg("polyline", { points, class: "duration-line" }) : null;
  const dots = timed.map(([i, ms]) =>
    svg("circle", { cx: x(i), cy: yDuration(ms), r: 3.5, class: "duration-dot" }, svg("title", { text: formatDuration(ms) })),
  );
  const labels = [];
  const every = Math.max(1, Math.ceil(ordered.length / 8));
  ordered.forEach((run, i) => {
    if (i % every === 0 || i === ordered.length - 1) {
      const when = new Date(run.startedAt);
      labels.push(
        svg("text", {
          x: x(i),
          y: HEIGHT - PAD.bottom + 18,
          class: "axis axis-bottom",
          text: when.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" }),
        }),
      );
    }
  });
  const chart = svg(
    "svg",
    {
      viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
      role: "img",
      "aria-labelledby": `${titleId} ${descId}`,
      class: "run-chart",
      id,
      preserveAspectRatio: "xMidYMid meet",
    },
    svg("title", { id: titleId, text: "Sync runs: records per run (bars) and duration (line)" }),
    svg("desc", { id: descId, text: summary }),
    grid,
    bars,
    failMarks,
    line,
    dots,
    labels,
  );
  const legend = h(
    "div",
    { class: "legend", "aria-hidden": "true" },
    h("span", { class: "legend-item" }, h("span", { class: "swatch swatch-bar" }), "Records fetched"),
    h("span", { class: "legend-item" }, h("span", { class: "swatch swatch-fail" }), "Failed run"),
    h("span", { class: "legend-item" }, h("span", { class: "swatch swatch-line" }), "Duration"),
  );
  return h("figure", { class: "chart" }, legend, chart, h("figcaption", { class: "muted" }, summary));
}

export function runTable(runs) {
  return h(
    "table",
    { class: "table", id: "run-table" },
    h("caption", { class: "visually-hidden" }, "Sync runs, newest first"),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ["Started", "Trigger", "Mode", "Result", "Records", "Duration", "Errors"].map((t) =>
          h("th", { scope: "col", class: t === "Records" || t === "Duration" ? "num" : null }, t),
        ),
      ),
    ),
    h(
      "tbody",
      {},
      runs.map((run) =>
        h(
          "tr",
          { "data-run": run.id, "data-state": run.state },
          h("td", {}, formatDate(run.startedAt)),
          h("td", {}, humanize(run.trigger)),
          h("td", {}, humanize(run.mode)),
          h("td", {}, h("span", { class: `run-state run-${run.state.toLowerCase()}` }, humanize(run.state))),
          h("td", { class: "num" }, formatNumber(run.recordsFetched)),
          h("td", { class: "num" }, run.finishedAt ? formatDuration(runDuration(run)) : "Running"),
          h("td", { class: "errors-cell" }, run.errors.length ? run.errors[0].message : "—"),
        ),
      ),
    ),
  );
}
