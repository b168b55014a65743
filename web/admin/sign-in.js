// Staff passkey pages (server/templates/admin/login.html and invite.html): the button names
// its ceremony in data-ceremony ("sign-in" or "register") and its URLs in data-options and
// data-verify; no inline script (the Content-Security-Policy allows none).
import { register, signIn } from '/admin/static/passkey.js';

const ceremonies = { 'sign-in': signIn, register };

for (const button of document.querySelectorAll('button[data-ceremony]')) {
  const run = ceremonies[button.dataset.ceremony];
  button.addEventListener('click', () => run(button, document.getElementById('passkey-status')));
}
