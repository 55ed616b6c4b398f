// The self-contained report: the run view of the embedded run-data JSON, nothing fetched.

import { markReady, qneuro, reportError, setErrorPanel } from './hooks.js';
import { renderRun } from './runview.js';
import { el } from './ui.js';

export function startReport(node) {
  qneuro.page = 'report';
  const errors = el('div.errors');
  errors.hidden = true;
  setErrorPanel(errors);
  const main = el('div.run');
  const root = el('div.report', {}, el('div.report-head', {}, el('span.brand', { text: 'qneuro report' }), el('span#status.note', { text: 'report' })), errors, main);
  document.body.append(root);
  let run = null;
  try {
    run = JSON.parse(node.textContent);
  } catch (e) {
    reportError(e, 'reading the embedded run data');
  }
  if (run) {
    document.title = document.title || run.title || 'qneuro report';
    try {
      renderRun(main, run);
    } catch (e) {
      reportError(e, 'rendering the run');
    }
  }
  markReady();
}
