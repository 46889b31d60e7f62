// On every page. The pages carry no inline script or event handler (the Content-Security-Policy refuses them):
// what they need is here or in a file of their own next to this one.

// <form data-confirm="question">: asks before the form is sent, in the page and not in a pop-up (the elderly mode allows
// none): the first press shows the question in the form, a second press goes ahead.
document.addEventListener('submit', function (ev) {
    var form = ev.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.confirm || form.dataset.confirmed === '1') { return; }
    ev.preventDefault();
    var note = document.createElement('p');
    note.className = 'wm-confirm alert alert-warning py-2 mb-2';
    note.setAttribute('role', 'alert');
    note.textContent = form.dataset.confirm + (document.documentElement.lang === 'en' ? ' Press the button again to go ahead.' : ' 再按一次按钮即执行。');
    form.insertBefore(note, form.firstChild);
    form.dataset.confirmed = '1';
});

// 长辈版: read the page's main text aloud where the device has a voice; the button stays hidden where it has none.
(function () {
    var button = document.getElementById('wm-read');
    if (!button || !('speechSynthesis' in window) || typeof SpeechSynthesisUtterance === 'undefined') { return; }
    var label = button.textContent;
    function stopped() { button.textContent = label; }
    button.hidden = false;
    button.addEventListener('click', function () {
        if (speechSynthesis.speaking) { speechSynthesis.cancel(); stopped(); return; }
        var main = document.getElementById('main').cloneNode(true);
        main.querySelectorAll('script, button, form, [hidden], .visually-hidden').forEach(function (e) { e.remove(); });
        var utterance = new SpeechSynthesisUtterance(main.innerText || main.textContent);
        utterance.lang = document.documentElement.lang || 'zh-CN';
        utterance.rate = 0.9;
        utterance.onend = stopped;
        utterance.onerror = stopped;
        button.textContent = button.dataset.stop;
        speechSynthesis.speak(utterance);
    });
})();

// A chart that resizes with the window. ECharts (about 1 MB) is fetched only when a chart comes into view, so pages
// without one never load it and pages with one show everything else first. Tooltips are drawn on the canvas: ECharts'
// HTML tooltips carry style attributes, which the Content-Security-Policy refuses. The returned handle takes setOption
// at once; what it is given before ECharts arrives is applied in order when it does.
(function () {
    var loading = null;
    function load() {
        if (window.echarts) { return Promise.resolve(); }
        if (!loading) {
            loading = new Promise(function (resolve, reject) {
                var s = document.createElement('script');
                s.src = document.querySelector('meta[name="wm-echarts"]').content;
                s.onload = resolve;
                s.onerror = reject;
                document.head.appendChild(s);
            });
        }
        return loading;
    }
    function richText(option) {
        if (option.tooltip) { option.tooltip = Object.assign({}, option.tooltip, { renderMode: 'richText' }); }
        return option;
    }
    window.wmChart = function (el, option) {
        if (!el) { return null; }
        var chart = null;
        var queued = [option];
        function draw() {
            load().then(function () {
                chart = echarts.init(el);
                queued.forEach(function (o) { chart.setOption(richText(o)); });
                queued = null;
                el.dataset.drawn = '1';
                window.addEventListener('resize', function () { chart.resize(); });
            });
        }
        if ('IntersectionObserver' in window) {
            var seen = new IntersectionObserver(function (entries) {
                if (entries.some(function (e) { return e.isIntersecting; })) { seen.disconnect(); draw(); }
            }, { rootMargin: '200px' });
            seen.observe(el);
        } else {
            draw();
        }
        return {
            setOption: function (o) { if (chart) { chart.setOption(richText(o)); } else { queued.push(o); } }
        };
    };
})();
