// The units' Excel import: shows that it is working and keeps the file from being sent twice.
document.getElementById('import-form').addEventListener('submit', function () {
    document.getElementById('import-progress').classList.remove('d-none');
    document.getElementById('import-progress-text').classList.remove('d-none');
    document.getElementById('import-submit').disabled = true;
});
