// Entry point of the bundle. One bundle serves two uses:
// - the report (qneuro report): the page embeds the run-data JSON in
//   <script type="application/json" id="qneuro-data">; render it and nothing else (file://, no
//   network);
// - the dashboard (qneuro serve): no such element; start the single-page app.

import 'uplot/dist/uPlot.min.css';
import './style.css';
import './hooks.js';
import { startReport } from './report.js';
import { startApp } from './app.js';

function start() {
  const data = document.getElementById('qneuro-data');
  if (data) startReport(data);
  else startApp();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
