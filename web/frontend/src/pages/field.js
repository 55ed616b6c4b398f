// Field monitor: start a field run (POST /api/field/start), follow it live over Server-Sent
// Events (/api/field/events), stop and resume it, reattach to jobs, open finished runs.
//
// Figure ids (live): field-eeg (last seconds of the virtual EEG, traces), field-diagnostics
// (norm, energy terms), field-snapshot (latest density slice). A finished or opened run is
// shown with the run view (run-* and flux-* ids, see runview.js).
// Hooks: #field-progress (data-done, data-total), #status ('running 45%', then the final
// state: 'completed', 'interrupted', 'failed', 'stopped').

import { getJSON, postJSON, url } from '../api.js';
import { guard, reportError, setStatus } from '../hooks.js';
import { Scope, figure } from '../figure.js';
import { TracesPlot } from '../plots/traces.js';
import { renderRun } from '../runview.js';
import { el, errorBox, clearError, field, panel, select } from '../ui.js';
import { FileBrowser, OverrideEditor, presetSelect } from '../widgets.js';
import { DiagnosticsView, SnapshotView } from '../views/fieldviews.js';
import { SampleBuffer } from '../views/stream.js';

const KEEP_SNAPSHOTS = 24;

export function create(root) {
  const st = { job: null, out: null, es: null, finished: true, buffer: null, diag: null, snaps: null, windowS: 10, dirty: false, runScope: null };

  // --- sidebar: new run
  const preset = presetSelect('field');
  const editor = new OverrideEditor('field');
  const outInput = el('input.mono', { placeholder: 'runs/field-<UTC time>', spellcheck: false, title: 'output directory, relative to the server root (optional)' });
  const startErr = errorBox();
  const startBtn = el('button.primary#field-start', { text: 'Start', onclick: () => start() });

  // --- sidebar: the followed job
  const jobInfo = el('div.note#field-job', { text: 'no job' });
  const bar = el('div.bar');
  const barLabel = el('span.label', { text: '' });
  const progress = el('div.progress#field-progress', { dataset: { done: '0', total: '0' } }, bar, barLabel);
  const stopBtn = el('button#field-stop', { text: 'Stop', disabled: true, onclick: () => stop() });
  const stepsInput = el('input#field-resume-steps', { type: 'number', min: 1, step: 1, placeholder: 'time.steps', title: 'new total time.steps for the resumed run' });
  const resumeBtn = el('button#field-resume', { text: 'Resume', disabled: true, onclick: () => resume() });
  const jobErr = errorBox();

  // --- sidebar: jobs and runs on disk
  const jobsEl = el('div.jobs');
  const jobsErr = errorBox();
  const browser = new FileBrowser({ kinds: [], openDirs: true, onOpen: (e) => openRun(e.path) });

  const sidebar = el(
    'aside.sidebar',
    {},
    panel('New field run', field('preset', preset.el), editor.el, field('output dir', outInput), el('div.row', {}, startBtn), startErr),
    panel('Job', jobInfo, progress, el('div.row', {}, stopBtn, stepsInput, resumeBtn), jobErr),
    panel('Jobs', el('div.row', {}, el('button.small', { text: '↻ refresh', onclick: () => refreshJobs() })), jobsEl, jobsErr),
    panel('Runs on disk', browser.el),
  );

  // --- main: live figures and the run view
  const live = el('div.fig-grid');
  const runEl = el('div.run');
  const liveSec = el('section.run-section', {}, el('h3', { text: 'Live' }), live);
  liveSec.hidden = true;
  root.append(el('div.page', {}, sidebar, el('div.main', {}, liveSec, runEl)));

  const scope = new Scope();
  const winSel = select([2, 5, 10, 30, 60].map((s) => [s, `last ${s} s`]), st.windowS, (v) => {
    st.windowS = Number(v);
    drawEEG();
  });
  const gainSel = select([0.25, 0.5, 1, 2, 4, 8].map((g) => [g, `×${g}`]), 1, (v) => eeg.plot.setGain(Number(v)), { title: 'amplitude gain' });
  const eeg = figure(live, { id: 'field-eeg', title: 'Virtual EEG (live)', wide: true, controls: [winSel, gainSel], scope }, (b) => new TracesPlot(b, { id: 'field-eeg', title: 'Virtual EEG (live)', xLabel: 'time (s)' }));
  const diagView = new DiagnosticsView(live, 'field-diagnostics', scope);
  const snapView = new SnapshotView(live, 'field-snapshot', scope, { title: 'Density snapshot |ψ|² (latest)' });

  // --- live state
  function resetLive() {
    st.buffer = null;
    st.diag = null;
    st.snaps = null;
    eeg.plot.spacing = null;
  }

  function setProgress(done, total, detail) {
    progress.dataset.done = String(done);
    progress.dataset.total = String(total);
    const pct = total > 0 ? (100 * done) / total : 0;
    bar.style.width = `${Math.min(100, pct)}%`;
    barLabel.textContent = `${done} / ${total} steps (${pct.toFixed(0)}%)${detail ? ' · ' + detail : ''}`;
    if (!st.finished) setStatus(`running ${Math.floor(pct)}%`);
  }

  function drawEEG() {
    if (!st.buffer || !st.buffer.end) return;
    const d = st.buffer.window(st.windowS, Math.max(200, eeg.body.clientWidth || 1000));
    const tEnd = st.buffer.end / st.buffer.fs;
    eeg.plot.view = [Math.max(0, tEnd - st.windowS), Math.max(tEnd, st.windowS)];
    eeg.plot.render(d);
  }

  // Samples arrive about every 200 ms; draw at most once per frame.
  function markDirty() {
    if (st.dirty) return;
    st.dirty = true;
    requestAnimationFrame(() => {
      st.dirty = false;
      guard('drawing the live EEG', drawEEG);
    });
  }

  const handlers = {
    meta(m) {
      st.out = m.out || st.out;
      st.meta = m;
      if (!st.buffer) st.buffer = new SampleBuffer(m.channels || [], m.fs_hz || 1, 120);
      jobInfo.textContent = `job ${m.job || st.job} → ${st.out} · ${(m.channels || []).length} channels at ${m.fs_hz} Hz`;
      if (m.total_steps) setProgress(Number(progress.dataset.done) || 0, m.total_steps);
    },
    samples(s) {
      if (!st.buffer) return;
      st.buffer.append(s.start || 0, s.data || []);
      markDirty();
    },
    diagnostics(d) {
      const rows = d.rows || [];
      if (!st.diag) st.diag = { step: [], t_s: [], norm: [], energy: [], e_kinetic: [], e_external: [], e_connectivity: [], e_mqp: [], max_abs_q: [] };
      const last = st.diag.step.length ? st.diag.step[st.diag.step.length - 1] : -Infinity;
      for (const r of rows) {
        if (!(r.step > last)) continue; // replayed rows
        for (const k of Object.keys(st.diag)) st.diag[k].push(r[k] ?? null);
      }
      diagView.update(st.diag);
    },
    progress(p) {
      setProgress(p.done, p.total, p.detail);
    },
    snapshot(s) {
      if (!st.snaps) st.snaps = { ny: s.ny, nx: s.nx, slices: s.slices, step: [], index: [], data: [] };
      const at = st.snaps.index.indexOf(s.index);
      if (at >= 0) return; // replayed
      st.snaps.index.push(s.index);
      st.snaps.step.push(s.step);
      st.snaps.data.push(s.data);
      if (st.snaps.data.length > KEEP_SNAPSHOTS) for (const k of ['index', 'step', 'data']) st.snaps[k].shift();
      snapView.update(st.snaps, { follow: true });
    },
    done(d) {
      st.finished = true;
      closeStream();
      const state = d.state || 'completed';
      setStatus(d.error ? `${state}: ${d.error}` : state);
      jobInfo.textContent = `job ${st.job} → ${st.out}: ${state}`;
      jobInfo.className = `note state-${state}`;
      if (d.error) reportError(new Error(d.error), `field job ${st.job} ${state}`, jobErr);
      stopBtn.disabled = true;
      resumeBtn.disabled = !st.out;
      drawEEG();
      if (d.run_dir !== false && (d.out || st.out)) openRun(d.out || st.out);
      refreshJobs();
    },
  };

  function closeStream() {
    if (st.es) st.es.close();
    st.es = null;
  }

  /** Follow a job: replay of its state so far, then live events. */
  function attach(job, out) {
    closeStream();
    resetLive();
    clearError(jobErr);
    st.job = job;
    st.out = out || null;
    st.finished = false;
    liveSec.hidden = false;
    setProgress(0, 0);
    setStatus('running 0%');
    stopBtn.disabled = false;
    resumeBtn.disabled = true;
    jobInfo.className = 'note';
    jobInfo.textContent = `job ${job}${out ? ' → ' + out : ''}: connecting`;
    const es = (st.es = new EventSource(url('/api/field/events', { job })));
    for (const [name, h] of Object.entries(handlers)) {
      es.addEventListener(name, (ev) => {
        if (st.es !== es) return; // a stream we left
        try {
          h(JSON.parse(ev.data));
        } catch (e) {
          reportError(e, `field event '${name}'`, jobErr);
        }
      });
    }
    es.onerror = () => {
      if (st.es !== es || st.finished) return;
      // the browser reconnects by itself (the server replays, duplicates are dropped); a closed
      // stream (unknown job, too many streams) is final
      if (es.readyState === EventSource.CLOSED) {
        st.finished = true;
        stopBtn.disabled = true;
        resumeBtn.disabled = !st.out;
        reportError(new Error(`the event stream of job ${job} closed`), 'field monitor', jobErr);
        setStatus('disconnected');
      } else setStatus('reconnecting…');
    };
  }

  // --- actions
  function start() {
    return guard(
      'starting the field run',
      async () => {
        clearError(startErr);
        editor.clearErrors();
        const body = { preset: preset.el.value, set: editor.get() };
        if (outInput.value.trim()) body.out = outInput.value.trim();
        startBtn.disabled = true;
        try {
          const res = await postJSON('/api/field/start', body);
          attach(res.job, res.out);
          refreshJobs();
        } catch (e) {
          if (e.key) editor.markKey(e);
          throw e;
        } finally {
          startBtn.disabled = false;
        }
      },
      startErr,
    );
  }

  function stop() {
    return guard(
      'stopping the job',
      async () => {
        stopBtn.disabled = true;
        await postJSON('/api/field/stop', { job: st.job });
        setStatus('stopping…');
      },
      jobErr,
    );
  }

  function resume() {
    return guard(
      'resuming the run',
      async () => {
        const set = {};
        if (stepsInput.value.trim()) set['time.steps'] = Number(stepsInput.value);
        const res = await postJSON('/api/field/resume', { dir: st.out, set });
        attach(res.job, res.out);
        refreshJobs();
      },
      jobErr,
    );
  }

  function refreshJobs() {
    clearError(jobsErr);
    return guard(
      'listing jobs',
      async () => {
        const jobs = await getJSON('/api/jobs');
        jobsEl.textContent = '';
        if (!jobs || !jobs.length) {
          jobsEl.append(el('div.note', { text: 'no jobs' }));
          return;
        }
        // newest first; one line per job: id, state, progress, attach; the output dir below
        for (const j of [...jobs].reverse()) {
          const pct = j.total ? ` ${Math.floor((100 * j.done) / j.total)}%` : '';
          jobsEl.append(
            el(
              'div.job',
              { dataset: { job: j.job, state: j.state } },
              el('div.row', {}, el('b', { text: j.job }), el('span', { className: `state-${j.state}`, text: j.state + pct, title: j.error || '' }), el('span.grow'), j.engine === 'field' || !j.engine ? el('button.small', { text: 'attach', onclick: () => attach(j.job, j.out) }) : null),
              el('div.note.mono.path', { text: j.out, title: j.out }),
            ),
          );
        }
      },
      jobsErr,
    );
  }

  function showRun(run) {
    if (st.runScope) st.runScope.dispose();
    st.runScope = renderRun(runEl, run);
  }

  function openRun(dir) {
    return guard('opening the run', async () => {
      const run = await getJSON('/api/run', { dir });
      showRun(run);
      // an opened field run can be resumed from here
      if (!st.es) {
        st.out = run.dir || dir;
        resumeBtn.disabled = false;
      }
    });
  }

  const ready = Promise.all([preset.ready, refreshJobs(), browser.refresh()]);
  return { ready, show: () => refreshJobs() };
}
