// The dashboard shell: top bar with tabs and the status line, the error panel, and hash routing
// (#qlif #field #eeg #flux). A page is built on its first visit and kept (hidden) afterwards,
// so a running field job keeps streaming while another page is shown.

import { guard, markReady, qneuro, setErrorPanel } from './hooks.js';
import { el } from './ui.js';
import * as qlif from './pages/qlif.js';
import * as field from './pages/field.js';
import * as eeg from './pages/eeg.js';
import * as flux from './pages/flux.js';

const PAGES = {
  qlif: { title: 'QLIF explorer', mod: qlif },
  field: { title: 'Field monitor', mod: field },
  eeg: { title: 'EEG viewer', mod: eeg },
  flux: { title: 'Flux viewer', mod: flux },
};

export function startApp() {
  const tabs = el('nav.tabs', {}, Object.entries(PAGES).map(([k, p]) => el('a', { href: `#${k}`, text: p.title, dataset: { page: k } })));
  const status = el('span#status', { text: 'loading' });
  const errors = el('div.errors#errors');
  errors.hidden = true;
  setErrorPanel(errors);
  const pages = el('div.pages');
  document.body.append(el('header.topbar', {}, el('span.brand', { text: 'qneuro' }), tabs, status), errors, pages);

  const built = new Map(); // page name → {root, page}
  let first = true;

  function route() {
    let name = location.hash.replace(/^#/, '');
    if (!PAGES[name]) name = 'qlif';
    qneuro.page = name;
    for (const a of tabs.querySelectorAll('a')) a.classList.toggle('active', a.dataset.page === name);
    for (const [k, b] of built) b.root.hidden = k !== name;
    let b = built.get(name);
    if (!b) {
      const root = el(`div.page-root#page-${name}`);
      pages.append(root);
      b = { root, page: null };
      built.set(name, b);
      // create() returns {ready: Promise, show?()}; ready resolves once its first draw is done
      b.page = PAGES[name].mod.create(root) || {};
    } else if (b.page.show) {
      guard(`showing ${name}`, () => b.page.show());
    }
    document.title = `qneuro · ${PAGES[name].title}`;
    if (first) {
      first = false;
      Promise.resolve(b.page.ready)
        .catch(() => {}) // a failed start is already recorded and shown by the page
        .then(() => {
          if (status.textContent === 'loading') status.textContent = 'ready';
          markReady();
        });
    }
  }

  window.addEventListener('hashchange', route);
  route();
}
