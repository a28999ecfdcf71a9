"""Talking to the network: HTTP requests within limits of connections, time, redirects and
size (``fetch``), on a maintained httpx transport. Every answer is untrusted; errors come
back as words for the user, never as exceptions."""
