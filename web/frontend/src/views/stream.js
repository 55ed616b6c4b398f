// The live EEG of a running field job: a ring buffer of the last samples per channel, filled
// from `samples` events ({start, data}), and read back as min/max buckets for the traces plot.
// Replays after a reconnect overlap what is already there: only the new part is kept.

export class SampleBuffer {
  constructor(channels, fsHz, keepSeconds = 120) {
    this.channels = channels;
    this.fs = fsHz;
    this.cap = Math.max(16, Math.ceil(keepSeconds * fsHz));
    this.data = channels.map(() => new Float32Array(this.cap).fill(NaN));
    this.end = 0; // absolute index of the next sample
    this.received = 0; // samples taken in (after de-duplication)
  }

  append(start, rows) {
    if (!Array.isArray(rows) || !rows.length) return;
    const n = rows[0].length;
    if (start + n <= this.end) return; // all seen before
    if (start > this.end + this.cap) this.end = start; // a gap longer than the buffer
    for (let j = this.end; j < start; j++) for (const d of this.data) d[j % this.cap] = NaN; // a short gap
    const skip = Math.max(0, this.end - start);
    for (let c = 0; c < this.data.length; c++) {
      const d = this.data[c];
      const src = rows[c] || [];
      for (let i = skip; i < n; i++) {
        const v = src[i];
        d[(start + i) % this.cap] = v === null || v === undefined ? NaN : v;
      }
    }
    this.received += n - skip;
    this.end = start + n;
  }

  /**
   * The last `seconds` as traces-plot data with at most `px` buckets per channel:
   * {t0, step_s, channels, min, max, n_samples}.
   */
  window(seconds, px) {
    const first = Math.max(0, this.end - this.cap, this.end - Math.round(seconds * this.fs));
    const n = this.end - first;
    const buckets = Math.max(1, Math.min(n, Math.floor(px)));
    const per = n / buckets;
    const min = [];
    const max = [];
    for (const d of this.data) {
      const mn = new Array(buckets);
      const mx = new Array(buckets);
      for (let b = 0; b < buckets; b++) {
        const s = first + Math.floor(b * per);
        const e = Math.max(s + 1, first + Math.floor((b + 1) * per));
        let lo = Infinity;
        let hi = -Infinity;
        for (let j = s; j < e; j++) {
          const v = d[j % this.cap];
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
        mn[b] = lo <= hi ? lo : null;
        mx[b] = lo <= hi ? hi : null;
      }
      min.push(mn);
      max.push(mx);
    }
    return { t0: first / this.fs, step_s: per / this.fs, channels: this.channels, min, max, n_samples: this.end, decimated: per > 1 };
  }
}
