// Printed documents (server/templates/print/): the toolbar's print button, without an inline
// onclick (the Content-Security-Policy allows no inline script).
for (const button of document.querySelectorAll('.print-button')) {
  button.addEventListener('click', () => window.print());
}
