"""The test relying party's one pipeline step of its own."""


def keep_id_token_claims(backend, social=None, *args, **kwargs):
    """Keeps the claims of the ID token the backend verified (signature, issuer, audience,
    expiry, nonce, at_hash) in extra_data, beside the userinfo claims, so the page shows both."""
    if social is not None and backend.id_token is not None:
        social.extra_data["id_token_claims"] = dict(backend.id_token)
        social.save()
