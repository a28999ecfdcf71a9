"""Several machines in step through a feed server the user already runs (issue 17).

folio does not sync through a server of its own: it talks to Miniflux (``miniflux.py``, its
REST API v1) or to any server speaking FreshRSS's dialect of the Google Reader API
(``greader.py``). Both sit behind one interface (``common.SyncClient``).

Why a sync pass and not a source adapter per synced feed: both services are built to
answer "what changed since then" for the whole account at once (Miniflux's
``changed_after``, the Google Reader API's reading list with ``ot=``), and their read and
starred states are listed account-wide. An adapter per feed would make a request per feed
and could not see states. So ``reconcile.sync_once`` pulls the account's changes and writes
the items of every synced source through the Store, in one pass; sources the server does
not have (API sources, feeds not subscribed yet) are fetched directly, as before.

What goes out is offline first (``local.queue_flag_changes``, ``sender.SyncSender``): every
local change to a synced item (read, unread, star, later where the server has a place for
it, mark a feed read) is an outbox row written in the same transaction as the flag, then
sent in batches, idempotently, with retries and back-off. A change not sent yet wins over
what the server says (unless the server shows a later change, where it tells the time).

Which item is which server entry is kept in ``sync_entries`` (migration 10), so an article
folio had already fetched directly is matched once, by its link, and never shown twice.
Subscriptions are merged three ways, with the server's list as it stood at the last sync
as the base (``sync_feeds``): a source added or removed in folio is added or removed on
the server, and one added or removed on another machine is added or removed here.
"""
