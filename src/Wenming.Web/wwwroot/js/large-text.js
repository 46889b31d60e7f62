// Loaded in <head>, before the page paints: the large-text choice (site.js switches it) applies without a flash.
if (localStorage.getItem('wm-large') === '1') { document.documentElement.classList.add('large-text'); }
