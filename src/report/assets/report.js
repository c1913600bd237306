// Draws the report from the JSON embedded in the page: charts with uPlot, tables as DOM text
// (never innerHTML, so names and URLs from the results stay text).
(function () {
  'use strict';
  const data = JSON.parse(document.getElementById('report-data').textContent);
  const root = document.getElementById('report');
  const palette = ['#1f77b4', '#ff7f0e', '#d62728', '#2ca02c', '#9467bd', '#8c564b', '#e377c2',
    '#7f7f7f', '#bcbd22', '#17becf'];
  const kneeColor = '#c0392b';
  const charts = [];

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
    for (const child of [].concat(children === undefined ? [] : children)) {
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }
  function fixed(value, digits) {
    if (value === null || value === undefined) return '';
    return Number(value).toLocaleString('en-US', { maximumFractionDigits: digits });
  }
  function section(title) {
    const s = el('section', {}, el('h2', {}, title));
    root.append(s);
    return s;
  }
  function table(parent, headers, rows) {
    const head = el('tr', {}, headers.map((h) => el('th', {}, h)));
    const body = rows.map((row) => el('tr', {}, row.map((cell) => el('td', {}, cell))));
    parent.append(el('div', { class: 'table' }, el('table', {}, [el('thead', {}, head),
      el('tbody', {}, body)])));
  }
  function chartWidth() { return Math.max(260, Math.min(root.clientWidth, 1100)); }
  function chartHeight() { return window.innerWidth < 600 ? 220 : 300; }

  // A dashed vertical line at x = value, labelled: the knee.
  function marker(value, label) {
    return {
      hooks: {
        draw: [(u) => {
          if (value === null || value === undefined || value < 0) return;
          const ratio = window.devicePixelRatio || 1;
          const x = u.valToPos(value, 'x', true);
          if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) return;
          const ctx = u.ctx;
          ctx.save();
          ctx.strokeStyle = kneeColor;
          ctx.fillStyle = kneeColor;
          ctx.lineWidth = 2 * ratio;
          ctx.setLineDash([6 * ratio, 4 * ratio]);
          ctx.beginPath();
          ctx.moveTo(x, u.bbox.top);
          ctx.lineTo(x, u.bbox.top + u.bbox.height);
          ctx.stroke();
          ctx.font = (12 * ratio) + 'px sans-serif';
          ctx.fillText(label, x + 4 * ratio, u.bbox.top + 14 * ratio);
          ctx.restore();
        }],
      },
    };
  }

  function chart(parent, title, note, options, columns) {
    const box = el('figure', { class: 'chart' });
    parent.append(box);
    const opts = Object.assign({ title: title, width: chartWidth(), height: chartHeight() },
      options);
    charts.push(new uPlot(opts, columns, box));
    if (note) box.append(el('figcaption', {}, note));
  }
  function line(label, color, extra) {
    return Object.assign({ label: label, stroke: color, width: 2, spanGaps: false }, extra || {});
  }
  function present(series) {
    return Array.isArray(series) && series.some((v) => v !== null && v !== undefined);
  }

  const knee = data.knee;
  const sec = data.seconds;
  const kneeRate = knee.found ? knee.rate : null;
  const kneeSecond = knee.second >= 0 ? knee.second : null;
  const msAxis = { label: 'ms', size: 60 };

  // Summary -------------------------------------------------------------------------------
  const summary = section('Run');
  const run = data.run;
  const totals = data.names[0];
  const facts = [
    ['source', data.source + ': ' + data.inputs.join(', ')],
    ['scenario', run.scenario], ['target', run.target], ['model', run.model],
    ['segments', run.segment],
    ['started', run.start_unix_ms ? new Date(run.start_unix_ms).toISOString() : ''],
    ['duration', fixed(run.duration_ms / 1000, 1) + ' s'],
    ['requests', fixed(totals.requests, 0) + ' (' + fixed(totals.rate, 1) + '/s average, ' +
      fixed(data.peak_rate, 0) + '/s peak)'],
    ['failed', fixed(totals.failed, 0)],
    ['iterations', fixed(run.iterations, 0) + ', dropped ' + fixed(run.dropped_iterations, 0)],
    ['checks', fixed(run.checks_passed, 0) + ' passed, ' + fixed(run.checks_failed, 0) + ' failed'],
    ['knee', knee.reason],
  ].filter(([, value]) => value !== '' && value !== undefined);
  summary.append(el('dl', {}, facts.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)])));

  if (data.warnings.length > 0) {
    const w = section('Warnings');
    w.classList.add('warnings');
    w.append(el('ul', {}, data.warnings.map((text) => el('li', {}, text))));
    if (data.skipped_examples.length > 1) {
      w.append(el('details', {}, [el('summary', {}, 'skipped lines (first ' +
        data.skipped_examples.length + ' of ' + data.skipped_lines + ')'),
      el('ul', {}, data.skipped_examples.map((text) => el('li', {}, text)))]));
    }
  }

  // The bench's sweep: its steps (each from its steady part) and what they mean ------------
  const sweep = data.sweep;
  if (sweep) {
    const meaning = section('What this means');
    meaning.append(el('ul', {}, sweep.meaning.map((text) => el('li', {}, text))));
    const s = section('Steps of the limit search');
    const steps = sweep.steps.slice().sort((a, b) => a.offered_rps - b.offered_rps);
    const cpuText = (v) => v === null ? '' : fixed(v, 0);
    // TLS handshakes of each step, full and resumed, with the resumed share.
    const anyTls = steps.some((st) => st.tls_full + st.tls_resumed > 0);
    const handshakes = (st) => {
      const all = st.tls_full + st.tls_resumed;
      return all === 0 ? '' : fixed(st.tls_full, 0) + ' / ' + fixed(st.tls_resumed, 0) + ' (' +
        fixed(100 * st.tls_resumed / all, 0) + '% resumed)';
    };
    table(s, ['step', 'offered/s', 'achieved/s', 'p50', 'p95', 'p99 (ms)', 'failed', 'dropped',
      'server CPU %', 'server waiting %', 'generator CPU %', 'generator waiting %', 'verdict']
      .concat(anyTls ? ['TLS handshakes full / resumed'] : []),
    steps.map((st) => [st.dir, fixed(st.offered_rps, 0), fixed(st.achieved_rps, 0),
      fixed(st.p50, 2), fixed(st.p95, 2), fixed(st.p99, 2), fixed(st.failed, 0),
      fixed(st.dropped, 0), cpuText(st.server_cpu), cpuText(st.server_wait),
      cpuText(st.generator_cpu), cpuText(st.generator_wait),
      st.held ? 'held' : 'broke: ' + st.reason].concat(anyTls ? [handshakes(st)] : [])));
    const x = steps.map((st) => st.offered_rps);
    const held = steps.filter((st) => st.held).pop();
    const heldRate = held ? held.offered_rps : null;
    const stepNote = 'One point per step, from its steady seconds (its first ' +
      sweep.skip_seconds + ' s and the drain after it are left out).';
    chart(s, 'Offered against achieved requests/s', stepNote, {
      scales: { x: { time: false } },
      axes: [{ label: 'offered requests/s' }, { label: 'requests/s', size: 70 }],
      series: [{ label: 'offered' },
        line('achieved', palette[0], { points: { show: true } }),
        line('offered', palette[7], { dash: [4, 4] })],
      plugins: [marker(heldRate, 'held')],
    }, [x, steps.map((st) => st.achieved_rps), x]);
    chart(s, 'Request duration per step', stepNote, {
      scales: { x: { time: false } },
      axes: [{ label: 'offered requests/s' }, msAxis],
      series: [{ label: 'offered' }, line('p50', palette[0], { points: { show: true } }),
        line('p95', palette[1], { points: { show: true } }),
        line('p99', palette[2], { points: { show: true } })],
      plugins: [marker(heldRate, 'held')],
    }, [x, steps.map((st) => st.p50), steps.map((st) => st.p95), steps.map((st) => st.p99)]);
    chart(s, 'Server and generator CPU per step', 'Server: percent of one core (' +
      sweep.server_cpus + ' CPU(s) given); generator: percent of its threads\' capacity. ' +
      'Dashed: time ready to run but waiting for a CPU taken by other work.', {
      scales: { x: { time: false } },
      axes: [{ label: 'offered requests/s' }, { label: 'CPU %', size: 60 }],
      series: [{ label: 'offered' }, line('server CPU %', palette[1], { points: { show: true } }),
        line('generator CPU %', palette[6], { points: { show: true } }),
        line('server waiting for a CPU %', palette[1], { dash: [4, 4] }),
        line('generator waiting for a CPU %', palette[6], { dash: [4, 4] })],
    }, [x, steps.map((st) => st.server_cpu), steps.map((st) => st.generator_cpu),
      steps.map((st) => st.server_wait), steps.map((st) => st.generator_wait)]);
  }

  // Charts ---------------------------------------------------------------------------------
  const curve = data.rate_curve;
  if (curve.rate.length > 0) {
    const s = section('Latency against achieved requests/s');
    chart(s, 'Request duration by achieved rate', 'Seconds grouped by their achieved rate; ' +
      'percentiles of all their requests. Dashed: the capacity knee.', {
      scales: { x: { time: false } },
      axes: [{ label: 'requests/s' }, msAxis],
      series: [{ label: 'requests/s' },
        line('p50', palette[0], { points: { show: true } }),
        line('p95', palette[1], { points: { show: true } }),
        line('p99', palette[2], { points: { show: true } })],
      plugins: [marker(kneeRate, 'knee')],
    }, [curve.rate, curve.p50, curve.p95, curve.p99]);
  }

  const time = section('Over time');
  const loadSeries = [{ label: 's' }, line('requests/s', palette[0]),
    line('VUs', palette[3], { scale: 'vus' })];
  const loadColumns = [sec.t, sec.rps, sec.vus];
  if (present(sec.offered)) {
    loadSeries.push(line('offered rate', palette[4], { dash: [4, 4] }));
    loadColumns.push(sec.offered);
  }
  chart(time, 'Load: requests/s, VUs, offered rate', null, {
    scales: { x: { time: false } },
    axes: [{ label: 'second' }, { label: 'per second', size: 60 },
      { scale: 'vus', side: 1, label: 'VUs', grid: { show: false } }],
    series: loadSeries,
    plugins: [marker(kneeSecond, 'knee')],
  }, loadColumns);
  chart(time, 'Request duration per second', null, {
    scales: { x: { time: false } },
    axes: [{ label: 'second' }, msAxis],
    series: [{ label: 's' }, line('p50', palette[0]), line('p95', palette[1]),
      line('p99', palette[2])],
    plugins: [marker(kneeSecond, 'knee')],
  }, [sec.t, sec.p50, sec.p95, sec.p99]);
  chart(time, 'Failures and dropped iterations per second', null, {
    scales: { x: { time: false } },
    axes: [{ label: 'second' }, { label: 'per second', size: 60 }],
    series: [{ label: 's' }, line('failed requests', palette[2]),
      line('dropped iterations', palette[5])],
    plugins: [marker(kneeSecond, 'knee')],
  }, [sec.t, sec.failed, sec.dropped]);
  if (present(sec.server_cpu) || present(sec.server_rss_mb)) {
    chart(time, 'Server CPU and memory', 'CPU in percent of one core.', {
      scales: { x: { time: false } },
      axes: [{ label: 'second' }, { label: 'CPU %', size: 60 },
        { scale: 'mb', side: 1, label: 'MiB', grid: { show: false } }],
      series: [{ label: 's' }, line('server CPU %', palette[1]),
        line('server memory MiB', palette[4], { scale: 'mb' })],
      plugins: [marker(kneeSecond, 'knee')],
    }, [sec.t, sec.server_cpu, sec.server_rss_mb]);
  }
  if (present(sec.generator_cpu)) {
    chart(time, 'Load generator CPU', 'Percent of one core; near 100% per load thread the ' +
      'generator is the bottleneck.', {
      scales: { x: { time: false } },
      axes: [{ label: 'second' }, { label: 'CPU %', size: 60 }],
      series: [{ label: 's' }, line('generator CPU %', palette[6])],
      plugins: [marker(kneeSecond, 'knee')],
    }, [sec.t, sec.generator_cpu]);
  }

  // How requests connect: k6's connect and TLS handshake phases, and the handshakes made ----
  const phases = data.phases;
  if (phases) {
    const s = section('Connecting and TLS handshakes');
    const total = phases.full_total + phases.resumed_total;
    s.append(el('p', {}, total === 0 ? 'No TLS handshake (plain HTTP).'
      : 'TLS handshakes: ' + fixed(phases.full_total, 0) + ' full (' +
        fixed(100 * phases.full_total / total, 1) + '%), ' + fixed(phases.resumed_total, 0) +
        ' resumed (' + fixed(100 * phases.resumed_total / total, 1) + '%).'));
    const phaseNote = 'k6\'s http_req_connecting and http_req_tls_handshaking over all ' +
      'requests: a request on a connection that served before counts 0.';
    chart(s, 'Connect and TLS handshake per second', phaseNote, {
      scales: { x: { time: false } },
      axes: [{ label: 'second' }, msAxis],
      series: [{ label: 's' }, line('connect p95', palette[0]),
        line('connect p99', palette[0], { dash: [4, 4] }), line('TLS handshake p95', palette[1]),
        line('TLS handshake p99', palette[1], { dash: [4, 4] })],
      plugins: [marker(kneeSecond, 'knee')],
    }, [phases.t, phases.connect_p95, phases.connect_p99, phases.tls_p95, phases.tls_p99]);
    if (phases.rate_connect.rate.length > 0) {
      chart(s, 'Connect and TLS handshake by achieved rate', 'Seconds grouped by their ' +
        'achieved rate; percentiles of all their requests. ' + phaseNote, {
        scales: { x: { time: false } },
        axes: [{ label: 'requests/s' }, msAxis],
        series: [{ label: 'requests/s' },
          line('connect p95', palette[0], { points: { show: true } }),
          line('connect p99', palette[0], { dash: [4, 4] }),
          line('TLS handshake p95', palette[1], { points: { show: true } }),
          line('TLS handshake p99', palette[1], { dash: [4, 4] })],
        plugins: [marker(kneeRate, 'knee')],
      }, [phases.rate_connect.rate, phases.rate_connect.p95, phases.rate_connect.p99,
        phases.rate_tls.p95, phases.rate_tls.p99]);
    }
    if (total > 0) {
      chart(s, 'TLS handshakes per second: full and resumed', null, {
        scales: { x: { time: false } },
        axes: [{ label: 'second' }, { label: 'per second', size: 60 }],
        series: [{ label: 's' }, line('full', palette[2]), line('resumed', palette[3])],
        plugins: [marker(kneeSecond, 'knee')],
      }, [phases.t, phases.full, phases.resumed]);
    }
  }

  const node = data.node;
  if (node) {
    const s = section('The server machine (node_exporter)');
    const modes = ['user', 'system', 'iowait', 'steal'];
    const modeSeries = modes.map((m, i) => line(m, palette[i]));
    chart(s, 'CPU by mode', 'Percent of one CPU, summed over the machine\'s CPUs. Steal: ' +
      'time a shared vCPU was ready but the host ran someone else.', {
      scales: { x: { time: false } },
      axes: [{ label: 'second' }, { label: 'CPU %', size: 60 }],
      series: [{ label: 's' }].concat(modeSeries),
      plugins: [marker(kneeSecond, 'knee')],
    }, [node.t].concat(modes.map((m) => node.cpu[m])));
    if (node.by_rate.rps.length > 0) {
      chart(s, 'CPU by mode against achieved requests/s', 'One point per second.', {
        scales: { x: { time: false } },
        axes: [{ label: 'requests/s' }, { label: 'CPU %', size: 60 }],
        series: [{ label: 'requests/s' }].concat(modes.map((m, i) =>
          line(m, palette[i], { points: { show: true } }))),
      }, [node.by_rate.rps].concat(modes.map((m) => node.by_rate.cpu[m])));
    }
    chart(s, 'Memory available, disk and network', null, {
      scales: { x: { time: false } },
      axes: [{ label: 'second' }, { label: 'bytes/s', size: 80 },
        { scale: 'mb', side: 1, label: 'MiB', grid: { show: false } }],
      series: [{ label: 's' }, line('memory available MiB', palette[4], { scale: 'mb' }),
        line('disk read', palette[5]), line('disk written', palette[6]),
        line('network received', palette[7]), line('network sent', palette[8])],
    }, [node.t, node.memory_available_mb, node.bytes.disk_read, node.bytes.disk_written,
      node.bytes.net_received, node.bytes.net_sent]);
  }

  const pct = data.percentiles;
  if (totals.requests > 0) {
    const s = section('Latency distribution');
    const names = ['0', '90', '99', '99.9', '99.99'];
    chart(s, 'Request duration by percentile, per name', null, {
      scales: { x: { time: false } },
      axes: [{ label: 'percentile', splits: () => [0, 1, 2, 3, 4],
        values: (u, splits) => splits.map((v) => names[Math.round(v)] || '') }, msAxis],
      series: [{ label: 'percentile', value: (u, v) => v === null ? '' :
        fixed(100 * (1 - Math.pow(10, -v)), 3) }].concat(pct.curves.map((c, i) =>
        line(c.name, palette[i % palette.length]))),
    }, [pct.x].concat(pct.curves.map((c) => c.ms)));
  }

  // Tables ---------------------------------------------------------------------------------
  const byName = section('Requests by name');
  table(byName, ['name', 'requests', 'per s', 'failed', 'failed %', 'avg', 'p50', 'p90', 'p95',
    'p99', 'max (ms)'], data.names.map((n) => [n.name, fixed(n.requests, 0), fixed(n.rate, 1),
    fixed(n.failed, 0), n.requests ? fixed(100 * n.failed / n.requests, 2) : '',
    fixed(n.avg, 2), fixed(n.p50, 2), fixed(n.p90, 2), fixed(n.p95, 2), fixed(n.p99, 2),
    fixed(n.max, 2)]));
  const byStatus = section('Requests by status');
  table(byStatus, ['status', 'requests', '%'], data.statuses.map((s) => [
    s.status === 0 ? '0 (no response)' : s.status, fixed(s.requests, 0),
    fixed(100 * s.requests / Math.max(1, totals.requests), 2)]));
  const failures = Object.entries(totals.failures);
  if (failures.length > 0) {
    table(byStatus, ['failure', 'requests'], failures.map(([k, v]) => [k, fixed(v, 0)]));
  }
  if (data.thresholds.length > 0) {
    const th = section('Thresholds');
    table(th, ['threshold', 'observed', 'result', 'detail'], data.thresholds.map((t) => [
      t.metric + (t.name ? '{name:' + t.name + '}' : '') + ': ' + t.source,
      t.evaluated ? fixed(t.observed, 3) : '', t.passed ? 'passed' : 'FAILED', t.detail]));
  }

  let resizeTimer = null;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      for (const u of charts) u.setSize({ width: chartWidth(), height: chartHeight() });
    }, 100);
  });
  document.body.dataset.charts = String(charts.length);
  // The uPlot instances, for the browser test to check what each chart drew.
  window.fourdollarCharts = charts;
}());
