// On every page. The pages carry no inline script or event handler (the Content-Security-Policy refuses them):
// what they need is here or in a file of their own next to this one.

// The header's large-text switch, remembered on this device.
document.getElementById('wm-large-toggle').addEventListener('click', function () {
    var on = document.documentElement.classList.toggle('large-text');
    localStorage.setItem('wm-large', on ? '1' : '0');
});

// <form data-confirm="question">: asks before the form is sent.
document.addEventListener('submit', function (ev) {
    var form = ev.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
        ev.preventDefault();
    }
});

// A chart that resizes with the window. Tooltips are drawn on the canvas: ECharts' HTML tooltips carry style attributes,
// which the Content-Security-Policy refuses.
window.wmChart = function (el, option) {
    if (!el || !window.echarts) { return null; }
    var chart = echarts.init(el);
    option.tooltip = Object.assign({}, option.tooltip, { renderMode: 'richText' });
    chart.setOption(option);
    window.addEventListener('resize', function () { chart.resize(); });
    return chart;
};
