// The venue's rotating check-in code: shows the current one and fetches the next when it expires.
(function () {
    var qr = document.getElementById('venue-qr');
    var id = qr.dataset.activity;
    function refresh() {
        fetch('/api/v1/activities/' + id + '/venue-code', { headers: { 'Accept': 'application/json' } })
            .then(function (r) { return r.json(); })
            .then(function (v) {
                qr.src = '/api/v1/activities/' + id + '/venue-code.png?c=' + v.code;
                var code = document.getElementById('venue-code');
                code.textContent = v.code;
                code.dataset.url = v.url;
                var wait = Math.max(1000, new Date(v.expiresAt) - new Date() + 300);
                setTimeout(refresh, wait);
            })
            .catch(function () { setTimeout(refresh, 5000); });
    }
    refresh();
})();
