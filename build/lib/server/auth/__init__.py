"""Who is signed in: passkeys (WebAuthn), staff accounts and the member's and staff's sessions."""
