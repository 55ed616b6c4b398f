// One control per config key (the QLIF explorer's sliders): a range input with an editable
// numeric readout for numbers (linear or log slider), a <select> for choices, a checkbox for
// booleans, a text input otherwise. The wrapper carries data-key="<key>" (and data-value, the
// current value), holds the "requires" note and an error box for the server's message.

import { el, errorBox, clearError } from './ui.js';

const LOG_STEPS = 1000;

function sliderSpec(spec) {
  const s = spec.slider || {};
  let min = s.min ?? spec.min ?? 0;
  let max = s.max ?? spec.max ?? (Number.isFinite(spec.default) ? Math.max(1, Math.abs(spec.default) * 4) : 1);
  if (!(max > min)) max = min + 1;
  const log = !!s.log && min > 0;
  // step 0 (or none) means continuous: a thousand positions over the range.
  let step = s.step > 0 ? s.step : spec.kind === 'int' ? 1 : (max - min) / 1000;
  if (spec.kind === 'int') step = Math.max(1, Math.round(step));
  return { min, max, step, log };
}

// Round a slider value to the slider's step (linear) or 4 significant digits (log), so that the
// readout shows 0.05 and not 0.05000000000000001.
function tidy(v, sl, kind) {
  if (kind === 'int') return Math.round(v);
  if (sl.log) return Number(v.toPrecision(4));
  const n = Math.round((v - sl.min) / sl.step);
  const digits = Math.max(0, Math.min(12, -Math.floor(Math.log10(sl.step)) + 1));
  return Number((sl.min + n * sl.step).toFixed(digits));
}

export class Control {
  /** spec: a key of /api/qlif/controls; onChange(key, value) on every user edit. */
  constructor(spec, onChange) {
    this.spec = spec;
    this.key = spec.key;
    this.value = spec.default;
    this.onChange = onChange;
    this.why = el('div.ctl-why');
    this.why.hidden = true;
    this.error = errorBox();
    const head = el('div.ctl-head', { title: spec.doc || '' }, el('span.ctl-key', { text: spec.key }), el('span.ctl-unit', { text: spec.unit || '' }));
    this.el = el('div.ctl', { dataset: { key: spec.key }, title: spec.doc || '' }, head);
    const kind = spec.kind;
    if (kind === 'bool') {
      this.input = el('input', { type: 'checkbox' });
      this.input.addEventListener('change', () => this.user(this.input.checked));
      head.prepend(this.input);
      head.classList.add('bool');
    } else if (kind === 'choice') {
      this.input = el('select', {}, (spec.choices || []).map((c) => el('option', { value: String(c), text: String(c) })));
      this.input.addEventListener('change', () => this.user(this.input.value));
      this.el.append(el('div.ctl-body.single', {}, this.input));
    } else if (kind === 'int' || kind === 'float') {
      const sl = (this.sl = sliderSpec(spec));
      this.range = sl.log
        ? el('input', { type: 'range', min: 0, max: LOG_STEPS, step: 1 })
        : el('input', { type: 'range', min: sl.min, max: sl.max, step: sl.step });
      this.input = el('input', { type: 'number', step: 'any' });
      if (spec.min !== null && spec.min !== undefined) this.input.min = spec.min;
      if (spec.max !== null && spec.max !== undefined) this.input.max = spec.max;
      this.range.addEventListener('input', () => {
        const v = tidy(this.fromRange(Number(this.range.value)), sl, kind);
        this.input.value = String(v);
        this.user(v);
      });
      // the readout commits on Enter or blur; any number is sent, the server checks the range
      this.input.addEventListener('change', () => {
        const v = Number(this.input.value);
        if (this.input.value.trim() === '' || !Number.isFinite(v)) return this.set(this.value);
        this.placeRange(v);
        this.user(kind === 'int' ? Math.round(v) : v);
      });
      this.el.append(el('div.ctl-body', {}, this.range, this.input));
    } else {
      // lists and strings: JSON or plain text
      this.input = el('input.mono', { spellcheck: false });
      this.input.addEventListener('change', () => {
        let v = this.input.value;
        try {
          v = JSON.parse(v);
        } catch {
          /* plain text */
        }
        this.user(v);
      });
      this.el.append(el('div.ctl-body.single', {}, this.input));
    }
    this.el.append(this.why, this.error);
  }

  fromRange(pos) {
    const sl = this.sl;
    if (!sl.log) return pos;
    const a = Math.log10(sl.min);
    const b = Math.log10(sl.max);
    return Math.pow(10, a + (pos / LOG_STEPS) * (b - a));
  }

  placeRange(v) {
    const sl = this.sl;
    if (!this.range || !Number.isFinite(v)) return;
    if (sl.log) {
      const a = Math.log10(sl.min);
      const b = Math.log10(sl.max);
      this.range.value = String(Math.round(((Math.log10(Math.max(v, sl.min)) - a) / (b - a)) * LOG_STEPS));
    } else this.range.value = String(v);
  }

  user(v) {
    this.value = v;
    this.el.dataset.value = typeof v === 'object' ? JSON.stringify(v) : String(v);
    this.onChange(this.key, v);
  }

  /** Show a value (from a preset or a reset) without reporting a change. */
  set(v) {
    this.value = v;
    this.el.dataset.value = typeof v === 'object' ? JSON.stringify(v) : String(v);
    const kind = this.spec.kind;
    if (kind === 'bool') this.input.checked = !!v;
    else if (kind === 'choice') this.input.value = String(v);
    else if (kind === 'int' || kind === 'float') {
      this.input.value = Number.isFinite(v) ? String(v) : '';
      this.placeRange(v);
    } else this.input.value = typeof v === 'string' ? v : JSON.stringify(v);
  }

  setChanged(changed) {
    this.el.classList.toggle('changed', changed);
  }

  /** Enable, or disable with the reason (a `requires` not met). */
  setEnabled(on, why = '') {
    this.el.classList.toggle('disabled', !on);
    for (const i of this.el.querySelectorAll('input, select')) i.disabled = !on;
    this.why.hidden = on;
    this.why.textContent = on ? '' : why;
  }

  clearError() {
    clearError(this.error);
  }
}
