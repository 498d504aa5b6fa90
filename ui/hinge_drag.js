// Hinges dragged on the Build tab's chart (ui/build_panel.py). This file is joined to ui/live_chart.js as one module
// (ui/live_chart.py), so it draws with that chart's plotly.js. Python sends the hinges' numbers: w, b, a per hinge,
// the output bias c, the chart's x-range (the kinks' bound) and a's range. Each hinge j gets two handles: one on its
// kink x = -b/w (drag sideways: the kink moves, w stays, b = -w·kink) and one on g beside the kink, on the side where
// the hinge is active (drag up or down: the output weight a_j, the change of slope there, a_j·|w_j|). Pointer events
// (mouse, pen, touch), or the keyboard on a focused handle: arrows one step, PageUp/PageDown ten. While a handle is
// held the chart is redrawn here; on release the hinge {hinge, kink, a} goes back to Python once, which checks it
// and draws the page anew. Dead-hinge colours stay as Python drew them until then.

const SLOPE_PX = [16, 40];  // how far (pixels) the slope handle sits from the kink: as far as the chart allows

class HingeHandles {
  constructor(chart) {
    this.chart = chart;
    this.layer = element("div", "hinge-layer");
    chart.root.append(this.layer, hingeStyle());
    this.handles = [];  // per hinge: {kink, slope} elements
    this.moving = null;  // {j, kink, a, seq}: held (seq Infinity), or let go and not yet drawn by Python
  }

  update(spec, seq) {
    this.spec = spec;
    const k = spec.w.length;
    if (this.moving && (seq >= this.moving.seq || this.moving.j >= k)) this.moving = null;  // drawn (or refused)
    while (this.handles.length < k) this.handles.push(this.addHandles(this.handles.length));
    for (const pair of this.handles.splice(k)) pair.kink.remove(), pair.slope.remove();
    this.place();
  }

  // The hinge's numbers now: as held or let go, else Python's (w = 0: a constant, its kink not a number).
  hinge(j) {
    const { w, b, a } = this.spec;
    if (this.moving?.j !== j) return { w: w[j], b: b[j], kink: w[j] ? -b[j] / w[j] : NaN, a: a[j] };
    return { w: w[j], b: -w[j] * this.moving.kink, kink: this.moving.kink, a: this.moving.a };
  }

  // g(x) = c + Σ a_j·max(0, w_j·x + b_j) with the held hinge's numbers: the sum of the hinges, not an activation
  // formula (g is piecewise linear, so a line through its kinks draws it exactly).
  sum(x) {
    let total = this.spec.c;
    for (let j = 0; j < this.spec.w.length; j++) total += this.part(j, x);
    return total;
  }

  part(j, x) {
    const { w, b, a } = this.hinge(j);
    return a * Math.max(0, w * x + b);
  }

  // The figure's traces made from the hinges (their `meta` names which: ui/build_charts.py), redrawn.
  traces(data) {
    const [lo, hi] = this.spec.view;
    const kinks = this.spec.w.map((_, j) => this.hinge(j).kink);
    const line = (j) => [lo, ...(kinks[j] > lo && kinks[j] < hi ? [kinks[j]] : []), hi];
    const redraw = {
      g: () => {
        const x = [lo, ...kinks.filter((v) => v > lo && v < hi).sort((p, q) => p - q), hi];
        return { x, y: x.map((v) => this.sum(v)) };
      },
      kinks: (units) => {
        const x = units.map((j) => clamp(kinks[j], lo, hi));
        return { x, y: x.map((v) => this.sum(v)), customdata: units.map((j) => [j + 1, kinks[j]]) };
      },
      parts: (units) => {  // each hinge through its kink, hinges apart by a gap
        const x = units.flatMap((j) => [...line(j), NaN]);
        const y = units.flatMap((j) => [...line(j).map((v) => this.part(j, v)), NaN]);
        return { x, y, customdata: units.flatMap((j) => line(j).concat(NaN).map(() => j + 1)) };
      },
      dots: (units) => ({ x: units.map((j) => kinks[j]), y: units.map(() => 0), customdata: units.map((j) => j + 1) }),
    };
    return data.map((t) => (t.meta?.hinges in redraw ? { ...t, ...redraw[t.meta.hinges](t.meta.units) } : t));
  }

  addHandles(j) {
    const pair = {};
    for (const what of ["kink", "slope"]) {
      const handle = element("div", `hinge-handle hinge-${what}`);
      handle.hidden = true;  // till placed
      handle.tabIndex = 0;
      handle.setAttribute("role", "slider");
      handle.setAttribute("aria-label", `Hinge ${j + 1} ${what === "kink" ? "kink position" : "slope change"}`);
      handle.setAttribute("aria-orientation", what === "kink" ? "horizontal" : "vertical");
      handle.addEventListener("pointerdown", (e) => this.grab(e, j, what));
      handle.addEventListener("pointermove", (e) => this.drag(e, j, what));
      for (const end of ["pointerup", "pointercancel", "lostpointercapture"]) {
        handle.addEventListener(end, () => this.release());
      }
      handle.addEventListener("keydown", (e) => this.key(e, j, what));
      handle.addEventListener("keyup", () => this.release());
      handle.addEventListener("blur", () => this.release());
      this.layer.append(handle);
      pair[what] = handle;
    }
    return pair;
  }

  // Where a hinge's handles are, in the chart's pixels: its kink (kept in the x-range) on g, and the point beside
  // it on the side where the hinge is active, on g, with `reach` = how much g there changes per unit of a. The
  // point is at most a third of the way to the next kink on that side (two hinges' bars never coincide), and
  // within the x-range where there is room.
  spots(j, axes) {
    const { x, y } = axes;
    const { w, kink } = this.hinge(j);
    const [lo, hi] = this.spec.view;
    const shown = clamp(kink, lo, hi);
    const side = Math.sign(w);
    let room = side * (x.l2p(side > 0 ? hi : lo) - x.l2p(shown));
    this.spec.w.forEach((_, i) => {
      const gap = side * (x.l2p(this.hinge(i).kink) - x.l2p(shown));
      if (i !== j && gap > 0) room = Math.min(room, gap / 3);
    });
    const beside = shown + side * clamp(room, ...SLOPE_PX) / x.perUnit;
    return { kink: [x.l2p(shown), y.l2p(this.sum(shown))], slope: [x.l2p(beside), y.l2p(this.sum(beside))],
             reach: Math.max(0, w * (beside - kink)) };
  }

  // The first panel's axes (g's), or null before Plotly has drawn them; positions relative to the chart's root.
  axes() {
    const layout = this.chart.plot._fullLayout;
    if (!layout?.xaxis?._length) return null;
    const axis = (a, offset) => ({ l2p: (v) => offset + a._offset + a.l2p(v), range: a.range,
                                   perUnit: a._length / Math.abs(a.range[1] - a.range[0]) });
    return { x: axis(layout.xaxis, this.chart.plot.offsetLeft), y: axis(layout.yaxis, this.chart.plot.offsetTop) };
  }

  // Each handle's value, and its place once Plotly has drawn the axes (till then, and for w = 0, hidden).
  place() {
    const axes = this.axes();
    if (axes && !this.listening) {  // zoom, resize: Plotly redraws, the handles follow
      this.chart.plot.on("plotly_afterplot", () => this.place());
      this.listening = true;
    }
    const [lo, hi] = this.spec.view;
    this.handles.forEach((pair, j) => {
      const { w, kink, a } = this.hinge(j);
      setValue(pair.kink, kink, lo, hi, `x = ${round(kink)}`);
      setValue(pair.slope, a, ...this.spec.a_range, `a = ${round(a)}: the slope changes by ${round(a * Math.abs(w))}`);
      const spots = axes && w !== 0 && Number.isFinite(kink) ? this.spots(j, axes) : null;
      pair.kink.hidden = !spots;
      pair.slope.hidden = !(spots?.reach > 0);  // hidden where the hinge is active only beyond the chart
      if (!spots) return;
      const [top, bottom] = [axes.y.l2p(axes.y.range[1]), axes.y.l2p(axes.y.range[0])];
      for (const what of ["kink", "slope"]) {
        const [px, py] = spots[what];
        pair[what].style.left = `${px}px`;
        pair[what].style.top = `${clamp(py, top, bottom)}px`;  // on the panel's edge when g is beyond it
      }
    });
  }

  grab(event, j, what) {
    event.preventDefault();  // no text selection, no scrolling: the handle takes the pointer
    event.currentTarget.setPointerCapture(event.pointerId);
    event.currentTarget.focus();
    const axes = this.axes();
    this.held = { j, what, x: event.clientX, y: event.clientY, start: this.hinge(j), axes,
                  reach: this.spots(j, axes).reach, pointer: event.pointerId };
  }

  // The pointer's move, in units of the value dragged (rounded to a power of ten below a pixel's worth).
  drag(event, j, what) {
    const held = this.held;
    if (held?.pointer !== event.pointerId || held.j !== j || held.what !== what) return;
    const { axes, start } = held;
    if (what === "kink") {
      this.move(j, snap(start.kink + (event.clientX - held.x) / axes.x.perUnit, axes.x.perUnit), start.a);
    } else {
      const perUnit = axes.y.perUnit * held.reach;  // pixels per unit of a, at the handle
      this.move(j, start.kink, snap(start.a - (event.clientY - held.y) / perUnit, perUnit));
    }
  }

  // Arrows move one step, PageUp/PageDown ten: a hundredth of the x-range for a kink; for a, a fifth of the slope
  // that crosses the chart's panel from corner to corner (both rounded down to 1, 2 or 5 times a power of ten).
  key(event, j, what) {
    const steps = { ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1, PageUp: 10, PageDown: -10 }[event.key];
    const axes = this.axes();
    if (!steps || !axes) return;
    event.preventDefault();
    const { w, kink, a } = this.hinge(j);
    const [lo, hi] = this.spec.view;
    const [bottom, top] = axes.y.range;
    if (what === "kink") this.move(j, kink + steps * niceStep((hi - lo) / 100), a);
    else this.move(j, kink, a + steps * niceStep((top - bottom) / (hi - lo) / Math.abs(w) / 5));
  }

  // A hinge's new numbers, each one that changed kept to the chart's x-range or a's range (Python checks them
  // again), and drawn. One that did not change stays as it is (a kink beyond the chart's x-range, say).
  move(j, kink, a) {
    const now = this.hinge(j);
    const fix = (v, old, low, high) => (v === old ? v : tidy(clamp(v, low, high)));
    this.moving = { j, kink: fix(kink, now.kink, ...this.spec.view), a: fix(a, now.a, ...this.spec.a_range),
                    seq: Infinity };
    this.chart.schedule();
  }

  // The held hinge let go: it goes to Python once.
  release() {
    this.held = null;
    if (this.moving?.seq !== Infinity) return;
    const { j, kink, a } = this.moving;
    this.moving.seq = ++this.chart.released;
    this.chart.report("release", { seq: this.moving.seq, values: { hinge: j, kink, a } });
  }

  remove() {
    this.layer.remove();
  }
}

const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
const tidy = (v) => Number(v.toPrecision(12)) + 0;  // 0.75 + 3 × 0.05 is 0.9, not 0.9000000000000001; -0 is 0
const round = (v) => String(Number(v.toPrecision(4)));
const snap = (v, perUnit) => {  // v to a multiple of the power of ten just below one pixel's worth
  const q = 10 ** Math.floor(Math.log10(1 / perUnit));
  return Math.round(v / q) * q;
};

// The largest of 1, 2, 5 times a power of ten not above `size`.
function niceStep(size) {
  const power = 10 ** Math.floor(Math.log10(size));
  return [5, 2, 1].map((m) => m * power).find((s) => s <= size * (1 + 1e-9)) ?? power;
}

function setValue(handle, value, low, high, text) {
  handle.setAttribute("aria-valuenow", String(value));
  handle.setAttribute("aria-valuemin", String(low));
  handle.setAttribute("aria-valuemax", String(high));
  handle.setAttribute("aria-valuetext", text);
}

// A ring around the kink's triangle; a bar (up and down) for the slope change. Theme colours; a visible focus ring.
function hingeStyle() {
  const css = element("style");
  css.textContent = `
    .hinge-layer { position: absolute; left: 0; top: 0; width: 0; height: 0; }
    .hinge-handle { position: absolute; box-sizing: border-box; transform: translate(-50%, -50%); touch-action: none;
      border: 2px solid var(--st-text-color); background: transparent; cursor: ew-resize; }
    .hinge-kink { width: 24px; height: 24px; border-radius: 50%; }
    .hinge-slope { width: 12px; height: 24px; border-radius: 6px; cursor: ns-resize;
      background: color-mix(in srgb, var(--st-background-color) 60%, transparent); }
    .hinge-handle:hover { border-width: 3px; }
    .hinge-handle:focus-visible { outline: 3px solid var(--st-primary-color); outline-offset: 2px; }
  `;
  return css;
}
