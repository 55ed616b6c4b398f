// The test hooks (window.qneuro) and the one place where failures are recorded.
//
// The browser tests read window.qneuro.plots (every figure, by id), window.qneuro.errors (every
// failure the page caught) and window.qneuro.page (the visible page). The shape is part of the
// contract with the tests: keep it exactly.
//
// Nothing here logs to the console: the tests treat any console error as a failure, so failures
// are shown in the page and recorded instead.

export const qneuro = (window.qneuro = window.qneuro || { plots: new Map(), errors: [], page: 'qlif' });

let errorList = null; // the page's error panel, when it has one

/** Register a figure so the tests (and the export buttons) find it by id. */
export function registerPlot(plot) {
  qneuro.plots.set(plot.id, plot);
}

/** Forget a figure, unless another one has taken its id since. */
export function unregisterPlot(plot) {
  if (qneuro.plots.get(plot.id) === plot) qneuro.plots.delete(plot.id);
}

/** The element where errors without a better place are listed. */
export function setErrorPanel(el) {
  errorList = el;
}

/**
 * Record a failure: in window.qneuro.errors always, and in the page (in `box` when given, else
 * in the error panel). Returns the recorded entry.
 */
export function reportError(err, context = '', box = null) {
  const entry = {
    context,
    message: (err && err.message) || String(err),
    status: err && err.status !== undefined ? err.status : null,
    key: (err && err.key) || null,
    time: new Date().toISOString(),
  };
  qneuro.errors.push(entry);
  // the HTTP status and the key are added unless the message already says them
  let text = (context ? context + ': ' : '') + entry.message;
  if (entry.key && !entry.message.includes(entry.key)) text += ` (${entry.key})`;
  if (entry.status) text += ` [HTTP ${entry.status}]`;
  if (box) {
    box.textContent = text;
    box.hidden = false;
  } else if (errorList) {
    const item = document.createElement('div');
    item.className = 'error-item';
    item.textContent = text;
    const close = document.createElement('button');
    close.className = 'link';
    close.textContent = '×';
    close.title = 'dismiss';
    close.onclick = () => item.remove();
    item.append(close);
    errorList.append(item);
    errorList.hidden = false;
  }
  return entry;
}

/** Run `fn` (sync or async) and record instead of throwing; resolves to its value or undefined. */
export async function guard(context, fn, box = null) {
  try {
    return await fn();
  } catch (e) {
    if (e && e.name === 'AbortError') return undefined; // a superseded request, not a failure
    reportError(e, context, box);
    return undefined;
  }
}

// Safety nets: anything that escapes is recorded, and an unhandled rejection is marked handled
// so that it does not reach the console.
window.addEventListener('error', (ev) => {
  reportError(ev.error || ev.message, 'uncaught');
});
window.addEventListener('unhandledrejection', (ev) => {
  ev.preventDefault();
  if (ev.reason && ev.reason.name === 'AbortError') return;
  reportError(ev.reason, 'unhandled');
});

/** The status line (#status): 'running 45%', 'completed', ... */
export function setStatus(text) {
  const s = document.getElementById('status');
  if (s) s.textContent = text;
}

/** Mark the initial page load as drawn (the tests wait for body[data-ready="1"]). */
export function markReady() {
  // after the next frame, so that the figures drawn in this task are on screen
  requestAnimationFrame(() => requestAnimationFrame(() => (document.body.dataset.ready = '1')));
}
