// The print views' Print button (a file, not inline: the portal's Content-Security-Policy allows no inline script).
document.addEventListener('DOMContentLoaded', function () {
  var button = document.getElementById('print-now');
  if (button) {
    button.addEventListener('click', function () { window.print(); });
  }
});
