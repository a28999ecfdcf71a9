"""Keeping sources fresh: when each is due (``schedule``: intervals, back-off, Retry-After)
and the refresh itself (``refresher``: fetch concurrently, parse off the event loop, store).
The app and the command line share this one path."""
