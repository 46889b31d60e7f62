// "Use my location": fills the order's coordinates from the phone; the words are the status element's data attributes.
document.getElementById('use-location').addEventListener('click', function () {
    var status = document.getElementById('location-status');
    var words = status.dataset;
    if (!navigator.geolocation) { status.textContent = words.unsupported; return; }
    status.textContent = words.locating;
    navigator.geolocation.getCurrentPosition(function (p) {
        document.getElementById('latitude').value = p.coords.latitude;
        document.getElementById('longitude').value = p.coords.longitude;
        status.textContent = words.located;
    }, function () { status.textContent = words.failed; }, { enableHighAccuracy: true, timeout: 10000 });
});
