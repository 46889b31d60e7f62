// Check-in and check-out send where the volunteer is: the form waits for the phone's location, then goes.
document.querySelectorAll('form.wm-locate').forEach(function (f) {
    f.addEventListener('submit', function (ev) {
        if (f.dataset.located) { return; }
        ev.preventDefault();
        if (!navigator.geolocation) { f.dataset.located = '1'; f.submit(); return; }
        navigator.geolocation.getCurrentPosition(function (p) {
            f.querySelector('[name=latitude]').value = p.coords.latitude;
            f.querySelector('[name=longitude]').value = p.coords.longitude;
            f.dataset.located = '1'; f.submit();
        }, function () { alert(f.dataset.locateRefused); }, { enableHighAccuracy: true, timeout: 10000 });
    });
});
