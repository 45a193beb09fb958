"""Transports: a response's body through the one read loop (``_read``) into a decoder.

``iterators`` has the public iterators, ``httpx`` the httpx adapters and ``connect_sse``,
``checks`` the status and content-type rules every HTTP client shares.
"""
