"""What folio sends on the user's behalf, written down first and sent later.

A change for a service (a bookmark for linkding, a read state for Miniflux) is first a row
in the store's ``outbox`` table (``queue``), in the same moment as the local change, so it
survives a crash, a dead server or a refused token. ``sender.flush`` then sends each
service's rows in order, in batches, with retries and back-off, through a ``Sender`` that
the service provides. Sending the same row twice must do no harm: each sender makes its
calls idempotent (a PUT of a state, an add that updates an existing URL).
"""
