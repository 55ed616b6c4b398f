// Flux viewer: open a flux training run (GET /api/run) and show it with the run view (training
// curves, polar states, state evolution, attention scores, coherence), and sample from its
// checkpoint (POST /api/flux/generate; needs LibTorch, see /api/info).
//
// Figure ids: flux-loss, flux-bpc, flux-polar, flux-evolution, flux-scores, flux-coherence
// (views/flux.js), plus the run view's own (runview.js) for what else the run holds.

import { getJSON, info, postJSON } from '../api.js';
import { guard } from '../hooks.js';
import { renderRun } from '../runview.js';
import { el, errorBox, clearError, field, panel } from '../ui.js';
import { FileBrowser } from '../widgets.js';

export function create(root) {
  const st = { dir: null, scope: null, torch: null };

  const browser = new FileBrowser({ kinds: [], openDirs: true, onOpen: (e) => open(e.path) });
  const openErr = errorBox();

  const prompt = el('textarea#flux-prompt.mono', { rows: 3, value: 'ROMEO:', spellcheck: false });
  const num = (id, value, attrs) => el(`input#${id}`, { type: 'number', value, ...attrs });
  const tokens = num('flux-tokens', 200, { min: 1, max: 10000, step: 1 });
  const temperature = num('flux-temperature', 0.8, { min: 0, step: 0.05 });
  const topK = num('flux-top-k', 0, { min: 0, step: 1, title: '0 = no top-k cut' });
  const seed = num('flux-seed', 1, { min: 0, step: 1 });
  const genBtn = el('button.primary#flux-generate', { text: 'Generate', disabled: true, onclick: () => generate() });
  const genNote = el('div.note#flux-generate-note', { text: 'open a flux run first' });
  const genErr = errorBox();
  const output = el('pre.text#flux-output');
  output.hidden = true;

  const sidebar = el(
    'aside.sidebar',
    {},
    panel('Runs', browser.el, openErr),
    panel('Generate', field('prompt', prompt), field('tokens', tokens), field('temperature', temperature), field('top k', topK), field('seed', seed), el('div.row', {}, genBtn), genNote, genErr, output),
  );
  const runEl = el('div.run', {}, el('p.note', { text: 'Open a run directory (flux train --out DIR) from the list.' }));
  root.append(el('div.page', {}, sidebar, el('div.main', {}, runEl)));

  function updateGenerate() {
    const ok = st.torch !== false && !!st.dir;
    genBtn.disabled = !ok;
    genNote.textContent = st.torch === false ? 'generation needs LibTorch: this server was built without it (torch = false)' : st.dir ? `checkpoint: ${st.dir}` : 'open a flux run first';
  }

  function open(dir) {
    return guard(
      'opening the run',
      async () => {
        clearError(openErr);
        const run = await getJSON('/api/run', { dir });
        if (st.scope) st.scope.dispose();
        st.scope = renderRun(runEl, run);
        st.dir = run.flux ? run.dir || dir : null;
        if (!run.flux) runEl.prepend(el('p.note', { text: 'this run has no flux data (not a flux training run)' }));
        updateGenerate();
      },
      openErr,
    );
  }

  function generate() {
    return guard(
      'generating',
      async () => {
        clearError(genErr);
        genBtn.disabled = true;
        genBtn.textContent = 'Generating…';
        try {
          const res = await postJSON('/api/flux/generate', {
            dir: st.dir,
            prompt: prompt.value,
            tokens: Number(tokens.value),
            temperature: Number(temperature.value),
            top_k: Number(topK.value),
            seed: Number(seed.value),
          });
          output.hidden = false;
          output.replaceChildren(el('span.prompt', { text: prompt.value }), el('span.generated', { text: res.text }));
          output.dataset.seconds = String(res.seconds);
          output.title = `${res.seconds} s`;
        } finally {
          genBtn.textContent = 'Generate';
          updateGenerate();
        }
      },
      genErr,
    );
  }

  const ready = Promise.all([
    browser.refresh(),
    guard('reading the server info', async () => {
      const i = await info();
      st.torch = !!i.torch;
      updateGenerate();
    }, genErr),
  ]);
  return { ready, open };
}
