"""The offline demo portfolio: its packaged files, fresh dates, and a transport that answers
its feed addresses without the network (``offline``)."""
