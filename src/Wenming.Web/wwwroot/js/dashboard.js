// The dashboard's charts: the children compared on one figure, and orders, hours and activities over time (their data in
// the charts' data attributes).
(function () {
    function list(el, name) { return el.dataset[name] ? el.dataset[name].split('|') : []; }
    var children = document.getElementById('children-chart');
    if (children) {
        wmChart(children, {
            tooltip: { trigger: 'axis' },
            grid: { left: 8, right: 8, top: 8, bottom: 8, containLabel: true },
            xAxis: { type: 'value' },
            yAxis: { type: 'category', inverse: true, data: list(children, 'labels'), axisLabel: { width: 110, overflow: 'truncate' } },
            series: [{ type: 'bar', data: list(children, 'values').map(Number), itemStyle: { color: '#b3202a' } }]
        });
    }
    var series = document.getElementById('series-chart');
    if (series) {
        var names = list(series, 'names');
        wmChart(series, {
            tooltip: { trigger: 'axis' },
            legend: { bottom: 0 },
            grid: { left: 8, right: 8, top: 16, bottom: 32, containLabel: true },
            xAxis: { type: 'category', data: list(series, 'periods') },
            yAxis: [{ type: 'value' }, { type: 'value' }],
            series: [
                { name: names[0], type: 'bar', data: list(series, 'orders').map(Number), itemStyle: { color: '#b3202a' } },
                { name: names[1], type: 'line', yAxisIndex: 1, data: list(series, 'hours').map(Number), itemStyle: { color: '#1f5f99' } },
                { name: names[2], type: 'bar', data: list(series, 'activities').map(Number), itemStyle: { color: '#8a6d00' } }
            ]
        });
    }
})();
