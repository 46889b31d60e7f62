// The live dispatch board: the first figures come with the page (#board-data), then every change the hub announces
// (and once a minute) reads them again. Words in the chart's data attributes.
(function () {
    var el = document.getElementById('board-chart');
    var words = el.dataset;
    var unit = words.unit;
    var chart = wmChart(el, {});
    function esc(s) { var d = document.createElement('div'); d.textContent = s == null ? '' : s; return d.innerHTML; }
    function render(b) {
        document.getElementById('board-open').textContent = b.open;
        document.getElementById('board-overdue').textContent = b.overdue;
        chart.setOption({
            tooltip: { renderMode: 'richText' }, legend: { top: 0, data: [words.openLabel, words.overdueLabel] },
            grid: { left: 110, right: 20, top: 36, bottom: 24 },
            xAxis: { type: 'value', minInterval: 1 },
            yAxis: { type: 'category', data: b.steps.map(function (s) { return s.name; }), inverse: true },
            series: [
                { name: words.openLabel, type: 'bar', stack: 'a', data: b.steps.map(function (s) { return s.count - s.overdue; }), itemStyle: { color: '#5b8ff9' } },
                { name: words.overdueLabel, type: 'bar', stack: 'a', data: b.steps.map(function (s) { return s.overdue; }), itemStyle: { color: '#b71c1c' } }
            ]
        });
        document.getElementById('board-steps').innerHTML = b.steps.map(function (s) {
            return '<li class="list-inline-item" data-step="' + esc(s.name) + '" data-count="' + s.count + '">' + esc(s.name) + ' ' + s.count +
                (s.overdue ? '（' + esc(words.overdueLabel) + ' ' + s.overdue + '）' : '') + '</li>';
        }).join('');
        document.getElementById('board-orders').innerHTML = b.orders.map(function (o) {
            return '<li class="list-group-item px-0"><a class="text-decoration-none text-body" href="/Orders/Detail?id=' + o.id + '">' +
                (o.overdue ? '<span class="badge bg-danger me-1">' + esc(words.overdueLabel) + '</span>' : '') + '<strong>' + esc(o.title) + '</strong>' +
                '<div class="small text-muted">' + esc(o.number) + ' · ' + esc(o.step) + ' · ' + esc(o.holder) + '</div></a></li>';
        }).join('') || '<li class="list-group-item px-0 text-muted">' + esc(words.emptyLabel) + '</li>';
    }
    function refresh() {
        fetch('/api/v1/orders/board?unit=' + unit, { headers: { 'Accept': 'application/json' } })
            .then(function (r) { return r.ok ? r.json() : null; }).then(function (b) { if (b) { render(b); } });
    }
    render(JSON.parse(document.getElementById('board-data').textContent));
    var connection = new signalR.HubConnectionBuilder().withUrl('/hubs/orders').withAutomaticReconnect().build();
    var pending = null;
    connection.on('orderChanged', function () {
        // Several moves in a burst refresh once.
        if (pending) { return; }
        pending = setTimeout(function () { pending = null; refresh(); }, 300);
    });
    // Also once a minute: deadlines pass with no move to announce them, and a move made on another instance of the platform
    // is pushed only to that instance's boards.
    connection.start().then(function () { document.getElementById('board-live').hidden = false; setInterval(refresh, 60000); })
        .catch(function () { setInterval(refresh, 30000); });
})();
