"""Podcasts: a download queue that resumes, a player that starts where you stopped, and
each episode's state (new, queued, downloading, downloaded, in progress, played).

- ``names``: safe file and folder names for episodes, always inside the download folder.
- ``episodes``: the ``episodes`` table of the store, and how a state is put in words.
- ``download``: one episode fetched to ``<name>.partial``, resumed with ``Range``, checked.
- ``queue``: the queue: at most ``max_downloads`` at once, pause, resume, cancel, retry.
- ``player``: the player as an argv list, and mpv's JSON IPC for the position.
- ``service``: ``Podcasts``, what the session, the screens and ``folio download`` call.

Nothing here runs a shell or imports Textual.
"""
