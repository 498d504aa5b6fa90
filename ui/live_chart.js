// A live Plotly chart (ui/live_chart.py): Python's figure, drawn as it comes, with sliders beside it. While a
// slider moves, the figure is redrawn from that slider's frames: the figure's updates that Python computed for a
// grid of the slider's values, interpolated between neighbouring grid values where Python found that to be within
// half a pixel (ui/frames.py). This file knows Plotly and the frames it is given, never what the curves are.
// On release the value goes back to Python once; Python's next figure then replaces the frame.

const charts = new WeakMap();  // the element Streamlit mounts the component in -> its chart
const kept = new Map();  // frames by digest: Python sends a slider's frames once, then only their digest
let loading = null;  // plotly.js, imported once per page (the installed plotly package's bundle)
let Plotly = null;

export default function ({ data, parentElement, setTriggerValue }) {
  let chart = charts.get(parentElement);
  if (!chart) {
    chart = new LiveChart(parentElement);
    charts.set(parentElement, chart);
  }
  chart.update(data, setTriggerValue);
  // Streamlit calls this when the component leaves the page, and also for a call whose data was superseded
  // before it ran: the chart stays while its element is on the page.
  return () => setTimeout(() => parentElement.isConnected || chart.remove());
}

class LiveChart {
  constructor(parent) {
    this.parent = parent;
    this.root = element("div", "live-chart");
    this.plot = element("div", "live-plot");
    this.side = element("div", "live-side");
    this.list = element("div", "live-sliders");
    const png = element("button", "live-png", "Download PNG");
    png.type = "button";
    png.addEventListener("click", () => Plotly?.downloadImage(this.plot, this.data.png));
    this.side.append(this.list, png);
    this.root.append(style(), this.plot, this.side);
    parent.append(this.root);
    this.rows = new Map();  // slider id -> its row
    this.headings = new Map();  // group -> its heading
    this.moving = new Map();  // slider id -> value shown: being dragged, or released and not yet drawn by Python
    this.released = 0;  // the sequence number of the last release sent
    new ResizeObserver(() => Plotly?.Plots.resize(this.plot)).observe(this.plot);
  }

  update(data, report) {
    this.data = data;
    this.report = report;
    this.asked = false;
    this.figure = JSON.parse(data.figure);
    this.sliders = new Map(data.sliders.map((s) => [s.id, { ...s, frames: this.keep(s.frames) }]));
    for (const id of this.moving.keys()) {  // Python has drawn a release once it has seen it
      if ((data.seq ?? 0) >= this.rows.get(id)?.seq) this.moving.delete(id);
    }
    this.showSliders();
    if (data.hinges) (this.hinges ??= new HingeHandles(this)).update(data.hinges, data.seq ?? 0);
    else this.hinges = this.hinges?.remove();  // no handles (the Build tab locked, or another chart)
    this.draw();
  }

  // A slider's frames, decoded once; if only their digest came and they are not here (an update sent them that
  // was superseded before it was drawn), Python is asked to send them again.
  keep(frames) {
    if (!frames) return null;
    if (frames.values) {
      kept.set(frames.digest, decode(frames));
      if (kept.size > 64) kept.delete(kept.keys().next().value);
    } else if (!kept.has(frames.digest) && !this.asked) {
      this.asked = true;
      this.report("missing", frames.digest);
    }
    return kept.get(frames.digest) ?? null;
  }

  // One row per slider, kept across updates (a focused slider keeps the focus), grouped under headings.
  showSliders() {
    const groups = new Map();
    for (const s of this.sliders.values()) {
      let row = this.rows.get(s.id);
      if (!row) row = this.addRow(s);
      row.input.min = s.low;
      row.input.max = s.high;
      row.input.step = s.step;
      if (!this.moving.has(s.id)) row.input.value = s.value;
      row.input.setAttribute("aria-label", s.label);
      row.name.textContent = s.name;
      row.box.title = s.help;
      row.ends[0].textContent = format(s.low, s.step);
      row.ends[1].textContent = format(s.high, s.step);
      row.box.classList.toggle("live-static", !s.frames);
      row.output.textContent = format(this.moving.get(s.id) ?? s.value, s.step);
      row.input.setAttribute("aria-valuetext", row.output.textContent);
      if (!groups.has(s.group)) groups.set(s.group, []);
      groups.get(s.group).push(row.box);
    }
    for (const [id, row] of this.rows) {
      if (!this.sliders.has(id)) {
        row.box.remove();
        this.rows.delete(id);
        this.moving.delete(id);
      }
    }
    const shown = [];
    for (const [group, boxes] of groups) {
      if (!this.headings.has(group)) this.headings.set(group, element("p", "live-group", group));
      shown.push(this.headings.get(group), ...boxes);
    }
    // Only when the sliders change: a row taken out of the page, even to be put back, loses the focus.
    if (shown.length !== this.list.children.length || shown.some((e, i) => this.list.children[i] !== e)) {
      this.list.replaceChildren(...shown);
    }
    this.side.classList.toggle("live-empty", shown.length === 0);
  }

  addRow(s) {
    const box = element("div", "live-slider");
    const label = element("label", "live-label");
    const name = element("span", "live-name");
    const output = element("output", "live-value");
    const input = element("input", "live-input");
    input.type = "range";
    input.id = `live-${s.id.replace(/[^\w-]/g, "_")}`;
    label.htmlFor = input.id;
    label.append(name, output);
    const ends = [element("span"), element("span")];
    const scale = element("div", "live-ends");
    scale.append(...ends);
    const note = element("p", "live-note", "The chart follows on release.");
    box.append(label, input, scale, note);
    const row = { box, input, name, output, ends, seq: 0 };  // seq: of the value's release; Infinity till then
    this.rows.set(s.id, row);
    // 'input' fires while the value changes (a drag, a key, a tap); 'change' when it is let go (each key press)
    input.addEventListener("input", () => this.move(s.id, Number(input.value)));
    input.addEventListener("change", () => this.release(s.id));
    input.addEventListener("pointercancel", () => this.release(s.id));  // the browser took the touch over
    return row;
  }

  // A slider's value changes: the chart follows from its frames. (Anything may move a slider this way: a point
  // dragged on the chart, say, whose position Plotly's axes turn into a value, then `release` on letting go.)
  move(id, value) {
    const row = this.rows.get(id);
    row.seq = Infinity;
    row.input.value = value;
    row.output.textContent = format(Number(row.input.value), this.sliders.get(id).step);
    row.input.setAttribute("aria-valuetext", row.output.textContent);
    this.moving.set(id, Number(row.input.value));
    this.schedule();
  }

  // A slider is let go: its value goes to Python once.
  release(id) {
    const row = this.rows.get(id);
    if (row.seq !== Infinity) return;
    row.seq = ++this.released;
    this.report("release", { seq: row.seq, values: { [id]: Number(row.input.value) } });
  }

  // Redraw once per animation frame at most, however many input events came in it.
  schedule() {
    if (this.pending) return;
    this.pending = requestAnimationFrame(() => {
      this.pending = null;
      this.draw();
    });
  }

  // Python's figure, with the frames of every slider that moved since Python drew it.
  async draw() {
    loading ??= import(new URL(this.data.plotly, document.baseURI).href).then(() => { Plotly = window.Plotly; });
    await loading;
    let { data, layout } = this.figure;
    for (const [id, value] of this.moving) {
      const slider = this.sliders.get(id);
      const update = slider && frameAt(slider.frames, value);
      if (update) ({ data, layout } = apply(data, layout, update, slider.others, this.data.pad));
    }
    if (this.hinges?.moving) data = this.hinges.traces(data);  // a hinge held: g redrawn from its numbers
    // for tests and the benchmark: what drew the chart
    this.root.dataset.source = this.moving.size ? "frames" : this.hinges?.moving ? "hinges" : "python";
    await Plotly.react(this.plot, data, themed(layout, getComputedStyle(this.root)), {
      displaylogo: false, displayModeBar: false, responsive: true,  // the PNG button is beside the chart
    });
    this.hinges?.place();
  }

  remove() {
    this.hinges?.remove();
    Plotly?.purge(this.plot);
    this.root.remove();
    charts.delete(this.parent);
  }
}

// The figure's update at a slider value: a grid value's own, or interpolated between its neighbours.
function frameAt(frames, value) {
  if (!frames) return null;
  const { values, updates, lerp, common } = frames;
  let k = 0;
  while (k + 1 < values.length && values[k + 1] <= value + 1e-9) k++;
  const t = (value - values[k]) / (values[k + 1] - values[k]);
  const update = Math.abs(value - values[k]) < 1e-9 || !lerp[k] ? updates[k] : mix(updates[k], updates[k + 1], t);
  return merge(common, update);
}

// a + t (b - a) for every number of two updates of the same shape (ui/frames.py: lerp)
function mix(a, b, t) {
  if (ArrayBuffer.isView(a)) return Float64Array.from(a, (v, i) => v + t * (b[i] - v));
  if (typeof a === "number") return a + t * (b - a);
  if (Array.isArray(a)) return a.map((v, i) => mix(v, b[i], t));
  if (a && typeof a === "object") return Object.fromEntries(Object.keys(a).map((k) => [k, mix(a[k], b[k], t)]));
  return a;
}

// The figure with an update: partial traces by index, a partial layout, and the extremes each y-axis's range is
// padded around (joined with those of what the slider does not move), as ui/charts.py pads its ranges.
function apply(data, layout, update, others, [pad, flatPad]) {
  data = data.map((trace, i) => (update.data?.[i] ? merge(trace, update.data[i]) : trace));
  layout = merge(layout, update.layout ?? {});
  for (const [axis, [low, high]] of Object.entries(update.extents ?? {})) {
    const [otherLow, otherHigh] = others[axis] ?? [Infinity, -Infinity];
    const lo = Math.min(low, otherLow), hi = Math.max(high, otherHigh);
    const margin = hi > lo ? pad * (hi - lo) : flatPad * Math.max(1, Math.abs(hi));
    if (Number.isFinite(lo) && Number.isFinite(hi)) layout[axis] = { ...layout[axis], range: [lo - margin, hi + margin] };
  }
  return { data, layout };
}

// Objects merged key by key; anything else (numbers, arrays, text) replaced.
function merge(base, part) {
  if (!isObject(base) || !isObject(part)) return part;
  const out = { ...base };
  for (const [k, v] of Object.entries(part)) out[k] = merge(base[k], v);
  return out;
}

const isObject = (v) => v && typeof v === "object" && !Array.isArray(v) && !ArrayBuffer.isView(v);

// Plotly's typed arrays ({dtype, bdata}, as ui/frames.py sends numbers) as JavaScript typed arrays.
const TYPES = { f4: Float32Array, f8: Float64Array };
function decode(value) {
  if (Array.isArray(value)) return value.map(decode);
  if (!isObject(value)) return value;
  if (value.bdata !== undefined && TYPES[value.dtype]) {
    const bytes = Uint8Array.from(atob(value.bdata), (c) => c.charCodeAt(0));
    return new TYPES[value.dtype](bytes.buffer);
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decode(v)]));
}

// The page's theme (Streamlit's CSS variables) on the figure's text, grid and hover box; the figure's own
// settings win.
function themed(layout, css) {
  const text = css.getPropertyValue("--st-text-color").trim() || "#31333f";
  const background = css.getPropertyValue("--st-background-color").trim() || "#ffffff";
  const grid = css.getPropertyValue("--st-border-color-light").trim() || "#e6eaf1";
  const font = css.getPropertyValue("--st-font").trim() || "sans-serif";
  const theme = {
    font: { color: text, family: font }, paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)",
    hoverlabel: { bgcolor: background, bordercolor: grid, font: { color: text, family: font } },
  };
  for (const axis of Object.keys(layout).filter((k) => /^[xy]axis\d*$/.test(k))) {
    theme[axis] = { gridcolor: grid, zerolinecolor: grid };
  }
  return merge(theme, layout);
}

// A value as its step writes it (0.05: two decimals), or in full if it is between steps (a link's 0.0137, RReLU's
// default upper bound 1/3): the text shows the value in use, where the thumb can only stand on a step.
function format(value, step) {
  const fixed = value.toFixed(Math.max(0, -Math.floor(Math.log10(step) + 1e-9)));
  return Math.abs(Number(fixed) - value) < 1e-9 ? fixed : String(Number(value.toPrecision(6)));
}

function element(tag, className = "", text = "") {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text) e.textContent = text;
  return e;
}

// The chart beside its sliders; below them on a narrow screen. Colours from the page's theme.
function style() {
  const css = element("style");
  css.textContent = `
    .live-chart { display: flex; flex-wrap: wrap; gap: 0.5rem 1.5rem; align-items: flex-start; position: relative; }
    .live-plot { flex: 1 1 30rem; min-width: 0; }
    .live-side { flex: 0 1 15rem; display: flex; flex-direction: column; gap: 0.75rem; padding-top: 2.5rem;
      font-family: var(--st-font); color: var(--st-text-color); }
    .live-side.live-empty { flex-basis: 100%; align-items: flex-end; padding-top: 0; }  /* the button, below */
    .live-group { font-weight: 600; margin: 0.25rem 0 -0.25rem; }
    .live-label { display: flex; justify-content: space-between; gap: 0.5rem; }
    .live-value { font-variant-numeric: tabular-nums; font-weight: 600; }
    .live-input { width: 100%; height: 2.25rem; margin: 0; accent-color: var(--st-primary-color);
      touch-action: pan-y; cursor: pointer; }
    .live-input:focus-visible { outline: 2px solid var(--st-primary-color); outline-offset: 2px; }
    .live-note { display: none; font-size: 0.8rem; margin: 0; }
    .live-static .live-note { display: block; }
    .live-ends { display: flex; justify-content: space-between; font-size: 0.8rem; margin-top: -0.25rem; }
    .live-png { align-self: flex-start; font: inherit; font-size: 0.875rem; color: inherit; cursor: pointer;
      background: transparent; border: 1px solid var(--st-border-color); border-radius: 0.5rem;
      padding: 0.25rem 0.75rem; }
    .live-png:focus-visible { outline: 2px solid var(--st-primary-color); outline-offset: 2px; }
    @media (max-width: 640px) { .live-side { flex-basis: 100%; padding-top: 0; } }
  `;
  return css;
}
