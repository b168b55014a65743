"""Keys and what they sign for verifiers: private keys on disk, the key life cycle
(init, rotate, revoke) and the published trust list."""
