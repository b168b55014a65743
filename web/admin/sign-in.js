// Staff passkey pages (server/templates/admin/login.html and invite.html): the button names
// its ceremony in data-ceremony ("sign-in" or "register") and its URLs in data-options and
// data-verify; no inline script (the Content-Security-Policy allows none).
import { invite, post, register, signIn, takeInviteToken } from '/admin/static/passkey.js';

const ceremonies = { 'sign-in': signIn, register, invite };

// The invitation page: whom it is for, from the token in the link's fragment.
const inviteFor = document.getElementById('invite-for');
if (inviteFor) {
  const button = document.getElementById('passkey-register');
  const token = takeInviteToken();
  post(inviteFor.dataset.check, { token }).then((found) => {
    const role = found.role === 'admin' ? '管理者' : '担当者';
    inviteFor.textContent = `${found.email} として、${role}（${found.role}）のパスキーを作成します。`;
    const en = document.createElement('small');
    en.lang = 'en';
    en.textContent = ` Create the passkey for ${found.email} (${found.role}). Passwords are not used.`;
    inviteFor.append(document.createElement('br'), en);
    button.hidden = false;
  }).catch((error) => {
    inviteFor.textContent = error.message;
    inviteFor.classList.add('error');
    inviteFor.setAttribute('role', 'alert');
  });
}

for (const button of document.querySelectorAll('button[data-ceremony]')) {
  const run = ceremonies[button.dataset.ceremony];
  button.addEventListener('click', () => run(button, document.getElementById('passkey-status')));
}
