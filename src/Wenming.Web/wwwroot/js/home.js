// The admin's home: the subtree's units by kind (labels and counts in the chart's data attributes).
(function () {
    var el = document.getElementById('kind-chart');
    if (!el) { return; }
    var labels = el.dataset.labels ? el.dataset.labels.split('|') : [];
    var values = el.dataset.values ? el.dataset.values.split('|').map(Number) : [];
    wmChart(el, {
        tooltip: { trigger: 'item' },
        legend: { bottom: 0 },
        series: [{ type: 'pie', radius: ['35%', '60%'], label: { formatter: '{c}' }, data: labels.map(function (l, i) { return { name: l, value: values[i] }; }) }]
    });
})();
