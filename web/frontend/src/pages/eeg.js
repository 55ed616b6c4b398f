// EEG viewer: browse or upload a recording (EDF, CSV, HDF5), scroll through it (the server
// returns min/max buckets for the visible window, one per pixel column), analyse it.
//
// Figure ids: eeg-traces (the visible window, stacked channels), and after "Analyze":
// eeg-psd, eeg-bandpower, eeg-pli, eeg-wpli (see views/analysis.js).

import { getJSON, info, postJSON, postRaw, url } from '../api.js';
import { guard, reportError } from '../hooks.js';
import { Scope, figure } from '../figure.js';
import { fmtValue } from '../plots/axes.js';
import { TracesPlot } from '../plots/traces.js';
import { renderAnalysis } from '../views/analysis.js';
import { Scroller } from '../views/scroller.js';
import { bytes, el, errorBox, clearError, field, panel, select, setOptions } from '../ui.js';
import { FileBrowser, OverrideEditor, presetSelect } from '../widgets.js';

const PAGE = 16; // channels per page when a recording has many

export function create(root) {
  const st = { file: null, meta: null, page: 'all', view: [0, 10], cache: null, inflight: false, pending: false, analysisScope: null, scroller: null };

  // --- sidebar
  const browser = new FileBrowser({ kinds: ['edf', 'csv', 'hdf5'], onOpen: (e) => open(e.path) });
  const fileInput = el('input#eeg-upload', { type: 'file', accept: '.edf,.csv,.h5,.hdf5' });
  const uploadErr = errorBox();
  const uploadNote = el('span.note');
  fileInput.addEventListener('change', () => upload());
  const infoEl = el('div.stats#eeg-info', { text: 'no recording open' });
  const preset = presetSelect('analyze');
  const editor = new OverrideEditor('analyze');
  const analyzeBtn = el('button.primary#eeg-analyze', { text: 'Analyze', disabled: true, onclick: () => analyze() });
  const analyzeErr = errorBox();
  const sidebar = el(
    'aside.sidebar',
    {},
    panel('Recordings', browser.el, el('div.row', {}, fileInput), uploadNote, uploadErr),
    panel('Recording', infoEl),
    panel('Analysis', field('preset', preset.el), editor.el, el('div.row', {}, analyzeBtn), analyzeErr),
  );

  // --- main
  const viewerEl = el('div.fig-grid');
  const analysisEl = el('div.run');
  const viewErr = errorBox();
  root.append(el('div.page', {}, sidebar, el('div.main', {}, viewErr, viewerEl, analysisEl)));
  const pageSel = select([['all', 'all channels']], 'all', (v) => {
    st.page = v;
    traces.plot.rescale();
    fetchWindow();
  }, { title: 'channels shown' });
  const scrollerSlot = el('div');
  const traces = figure(viewerEl, { id: 'eeg-traces', title: 'Recording', wide: true, controls: [pageSel] }, (b) => new TracesPlot(b, { id: 'eeg-traces', title: 'Recording', xLabel: 'time (s)' }));
  traces.body.prepend(scrollerSlot);
  traces.card.hidden = true;
  // one wheel listener for the canvas, talking to the scroller of the open recording
  traces.plot.canvas.addEventListener('wheel', (ev) => st.scroller && st.scroller.wheel(ev), { passive: false });

  function channelIndices() {
    const C = st.meta.channels.length;
    if (st.page === 'all') return Array.from({ length: C }, (_, i) => i);
    const p = Number(st.page);
    return Array.from({ length: Math.min(PAGE, C - p * PAGE) }, (_, i) => p * PAGE + i);
  }

  // What the plot holds: [t0, t1] fetched for a window length and channel set. The server is
  // asked for one window more on each side at the same resolution, so scrolling within that
  // range redraws from memory at once and fetches only near its edges.
  const chanKey = () => channelIndices().join(',');
  function covered() {
    const c = st.cache;
    if (!c || c.file !== st.file || c.key !== chanKey()) return false;
    const [a, b] = st.view;
    const w = b - a;
    if (Math.abs(c.win - w) > 1e-9) return false;
    const dur = st.meta.duration_s;
    return (a >= c.t0 + 0.25 * w || c.t0 <= 0) && (b <= c.t1 - 0.25 * w || c.t1 >= dur);
  }

  // One request at a time; while one is in flight, the newest wanted view waits and is fetched
  // next (intermediate positions are skipped), so a fast drag never queues stale windows.
  async function fetchWindow() {
    if (!st.meta || covered()) return;
    if (st.inflight) {
      st.pending = true;
      return;
    }
    st.inflight = true;
    const file = st.file;
    try {
      const [a, b] = st.view;
      const w = b - a;
      const t0 = Math.max(0, a - w);
      const t1 = Math.min(st.meta.duration_s, b + w);
      const chans = channelIndices();
      const key = chanKey();
      // one bucket per device pixel column of the visible window (the canvas is as wide as
      // the figure body), the same density for the margins
      const pxView = Math.max(100, Math.min(8000, Math.round((traces.body.clientWidth || 1200) * (window.devicePixelRatio || 1))));
      const px = Math.min(16000, Math.round((pxView * (t1 - t0)) / w));
      const res = await getJSON('/api/eeg/window', { file, t0, t1, px, channels: chans.join(',') });
      if (file !== st.file) return; // another recording was opened meanwhile
      clearError(viewErr);
      st.cache = { file, key, win: w, t0: res.t0 ?? t0, t1: res.t1 ?? t1 };
      traces.plot.view = [st.view[0], st.view[1]];
      traces.plot.render({
        t0: res.t0 ?? t0,
        step_s: res.step_s,
        channels: (res.channels || chans).map((i) => st.meta.channels[i]),
        channel_index: res.channels || chans,
        min: res.min,
        max: res.max,
        decimated: !!res.decimated,
        annotations: st.meta.annotations || [],
      });
      traces.setNote(res.decimated ? `min/max of ${fmtValue(res.step_s * 1000)} ms buckets (decimated by the server)` : 'every sample');
    } catch (e) {
      reportError(e, 'reading the window', viewErr);
    } finally {
      st.inflight = false;
      if (st.pending) {
        st.pending = false;
        fetchWindow();
      }
    }
  }

  function open(file) {
    return guard(
      'opening the recording',
      async () => {
        clearError(viewErr);
        const meta = await getJSON('/api/eeg/open', { file });
        st.file = meta.file || file;
        st.meta = meta;
        st.cache = null;
        const C = meta.channels.length;
        const pages = [['all', `all ${C} channels`]];
        if (C > PAGE) for (let p = 0; p * PAGE < C; p++) pages.push([p, `${meta.channels[p * PAGE]}–${meta.channels[Math.min(C, (p + 1) * PAGE) - 1]} (${p * PAGE + 1}–${Math.min(C, (p + 1) * PAGE)})`]);
        st.page = C > PAGE ? '0' : 'all';
        setOptions(pageSel, pages, st.page);
        infoEl.textContent = `${st.file} · ${meta.format} · ${C} channels · ${fmtValue(meta.fs_hz)} Hz · ${fmtValue(meta.duration_s)} s (${meta.n_samples} samples) · ${(meta.annotations || []).length} annotations`;
        traces.card.hidden = false;
        traces.card.querySelector('.fig-title').textContent = st.file;
        traces.plot.title = st.file;
        const scroller = new Scroller({
          duration: meta.duration_s,
          window: 10,
          onView: (a, b) => {
            st.view = [a, b];
            traces.plot.setView(a, b); // at once, with the data we have
            fetchWindow();
          },
          onGain: (g) => traces.plot.setGain(g),
        });
        st.scroller = scroller;
        scrollerSlot.replaceChildren(scroller.el);
        st.view = scroller.view();
        traces.plot.spacing = null;
        analyzeBtn.disabled = false;
        if (st.analysisScope) st.analysisScope.dispose();
        analysisEl.textContent = '';
        await fetchWindow();
      },
      viewErr,
    );
  }

  function upload() {
    const f = fileInput.files && fileInput.files[0];
    if (!f) return;
    clearError(uploadErr);
    uploadNote.textContent = `uploading ${f.name} (${bytes(f.size)})…`;
    return guard(
      `uploading ${f.name}`,
      async () => {
        try {
          const res = await postRaw(url('/api/upload', { name: f.name }), f);
          uploadNote.textContent = `uploaded ${res.file}`;
          await browser.refresh();
          await open(res.file);
        } catch (e) {
          uploadNote.textContent = '';
          if (e.status === 413) {
            const i = await info().catch(() => null);
            if (i && i.max_upload_bytes) e.message += ` (limit ${bytes(i.max_upload_bytes)})`;
          }
          throw e;
        } finally {
          fileInput.value = '';
        }
      },
      uploadErr,
    );
  }

  function analyze() {
    return guard(
      'analysing the recording',
      async () => {
        clearError(analyzeErr);
        editor.clearErrors();
        analyzeBtn.disabled = true;
        analyzeBtn.textContent = 'Analyzing…';
        try {
          const a = await postJSON('/api/eeg/analyze', { file: st.file, preset: preset.el.value, set: editor.get() });
          if (st.analysisScope) st.analysisScope.dispose();
          analysisEl.textContent = '';
          st.analysisScope = new Scope();
          analysisEl.append(el('h3', { text: `Spectral analysis of ${st.file}` }));
          renderAnalysis(analysisEl, a, 'eeg', st.analysisScope);
        } catch (e) {
          if (e.key) editor.markKey(e);
          throw e;
        } finally {
          analyzeBtn.disabled = false;
          analyzeBtn.textContent = 'Analyze';
        }
      },
      analyzeErr,
    );
  }

  const ready = Promise.all([preset.ready, browser.refresh()]);
  return { ready, open };
}
