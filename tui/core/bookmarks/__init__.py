"""Bookmarks, two-way: the services folio saves bookmarks to and reads them from
(linkding, Shaarli, Pinboard), and browser bookmark files (the Netscape format).

``common`` holds what every service shares: the ``Bookmark``, the client interface, how an
HTTP answer becomes a failure in words (temporary or for good), and the outbox's sender.
Each service module is a client of its documented REST API, making its calls through the
refresher's ``Fetcher`` with the token passed as a secret, so it never reaches a message.
``local`` is folio's side: what ``b`` queues, and an item's bookmark state.
"""
