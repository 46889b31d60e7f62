// The yearly plan: planned against held, by month (figures and words in the chart's data attributes).
(function () {
    var el = document.getElementById('plan-chart');
    if (!el) { return; }
    var months = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12'];
    wmChart(el, {
        tooltip: { trigger: 'axis' }, legend: { top: 0 }, grid: { left: 36, right: 12, top: 36, bottom: 24 },
        xAxis: { type: 'category', data: months.map(function (m) { return m + el.dataset.monthSuffix; }) },
        yAxis: { type: 'value', minInterval: 1 },
        series: [
            { name: el.dataset.plannedLabel, type: 'bar', data: el.dataset.planned.split(',').map(Number), itemStyle: { color: '#c9c9c9' } },
            { name: el.dataset.heldLabel, type: 'bar', data: el.dataset.held.split(',').map(Number), itemStyle: { color: '#b71c1c' } }
        ]
    });
})();
