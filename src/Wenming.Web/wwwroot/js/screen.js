// 大屏: refreshes itself from its data source every few seconds, changing the text of the elements it drew once and the
// map's one series in place, so that it runs for days without growing. The lists scroll by moving their first row to the
// end every few seconds (unless the viewer asked for less motion). window.wmScreenRefresh() refreshes at once.
(function () {
    var main = document.getElementById('main');
    if (!main || !main.dataset.source) { return; }
    var every = Math.max(5, Number(main.dataset.refresh) || 30) * 1000;
    var mapEl = document.getElementById('screen-map');
    var map = wmChart(mapEl, {
        tooltip: { trigger: 'item', formatter: function (p) { return p.value[3] + '：' + p.value[2]; } },
        grid: { left: 8, right: 8, top: 8, bottom: 8 },
        xAxis: { type: 'value', scale: true, show: false },
        yAxis: { type: 'value', scale: true, show: false },
        visualMap: { show: false, dimension: 2, min: 0, max: 5, inRange: { color: ['#8fa3c7', '#f2c14e', '#ff6b4a'] } },
        series: [{ id: 'stations', type: 'scatter', symbolSize: 12, data: [] }]
    });
    function pad(n) { return n < 10 ? '0' + n : '' + n; }
    function stamp(iso) {
        var d = new Date(new Date(iso).getTime() + 8 * 3600 * 1000); // district time, UTC+08:00
        return pad(d.getUTCMonth() + 1) + '-' + pad(d.getUTCDate()) + ' ' + pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes());
    }
    function fill(list, items) {
        var rows = list.children;
        for (var i = 0; i < rows.length; i++) {
            var it = items[i];
            rows[i].textContent = it ? stamp(it.at) + ' ' + it.unit + ' · ' + it.title + ' · ' + it.what : '';
        }
    }
    function render(d) {
        var values = document.querySelectorAll('#screen-figures .wm-screen-value');
        for (var i = 0; i < values.length && i < d.figures.length; i++) {
            values[i].textContent = (Math.round(d.figures[i].value * 10) / 10).toString();
        }
        var max = 1;
        var points = d.stations.map(function (s) { max = Math.max(max, s.activities); return [s.longitude, s.latitude, s.activities, s.name]; });
        map.setOption({ visualMap: { max: max }, series: [{ id: 'stations', data: points }] });
        fill(document.getElementById('screen-orders'), d.orders);
        fill(document.getElementById('screen-activities'), d.activities);
        document.getElementById('screen-time').textContent = stamp(d.at);
    }
    function refresh() {
        return fetch(main.dataset.source, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
            .then(function (r) { return r.ok ? r.json() : null; })
            .then(function (d) { if (d) { render(d); } })
            .catch(function () { /* the next refresh tries again */ });
    }
    function scroll() {
        ['screen-orders', 'screen-activities'].forEach(function (id) {
            var list = document.getElementById(id);
            var first = list.firstElementChild;
            if (first && first.textContent && list.lastElementChild.textContent) { list.appendChild(first); }
        });
    }
    window.wmScreenRefresh = refresh;
    if (!window.matchMedia('(prefers-reduced-motion: reduce)').matches) { setInterval(scroll, 4000); }
    refresh();
    setInterval(refresh, every);
})();
